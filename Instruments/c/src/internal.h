/* Internal helpers of the LabLoop C agent library. Not installed. */
#ifndef LABLOOP_INTERNAL_H
#define LABLOOP_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "labloop/agent.h"
#include "labloop/v1/envelope.pb-c.h"

#define LB_MAX_MESSAGE_BYTES (4 << 20)
#define LB_UUID_LENGTH 36

/* Fills err (if any) and returns status. */
int lb_error(labloop_error *err, int status, int sys_errno, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

int64_t lb_unix_ms(void);
int64_t lb_monotonic_ms(void);

/* Cryptographically random bytes from the kernel; 0 on success. */
int lb_random(void *buffer, size_t length);

/* A random (version 4) UUID, 36 characters and a NUL. */
void lb_uuid(char out[LB_UUID_LENGTH + 1]);

int lb_is_z85_key(const char *text);

/* strdup that returns NULL for NULL. */
char *lb_strdup(const char *text);

/* An envelope header for sender: protocol 1, a fresh message id (written to message_id), seq, now. */
void lb_envelope_init(Labloop__V1__Envelope *envelope, char message_id[LB_UUID_LENGTH + 1], const char *sender,
                      uint64_t session_seq);

/* The same header for an envelope whose body is already set. */
void lb_envelope_header(Labloop__V1__Envelope *envelope, char message_id[LB_UUID_LENGTH + 1], const char *sender,
                        uint64_t session_seq);

/* The packed envelope in a malloc'd buffer; NULL when out of memory. */
uint8_t *lb_envelope_pack(const Labloop__V1__Envelope *envelope, size_t *length);

/* ---- Outbox: one fsynced file per unacknowledged result (same layout as the Swift agent) ---- */

typedef struct {
    char *message_id;
    char *experiment_id;
    uint8_t *frame;
    size_t length;
} lb_outbox_entry;

int lb_outbox_open(const char *directory, labloop_error *err);
int lb_outbox_put(const char *directory, const char *message_id, const uint8_t *frame, size_t length,
                  labloop_error *err);
void lb_outbox_remove(const char *directory, const char *message_id);
/* Every result envelope in the directory; unreadable files are skipped and counted in *skipped. */
int lb_outbox_load(const char *directory, lb_outbox_entry **entries, size_t *count, size_t *skipped,
                   labloop_error *err);
void lb_outbox_entries_free(lb_outbox_entry *entries, size_t count);

#endif
