/* Errors, clocks, randomness, ids and envelopes shared by the library. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char z85_alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

const char *labloop_status_name(int status) {
    switch (status) {
    case LABLOOP_OK: return "LABLOOP_OK";
    case LABLOOP_ERR_INVALID: return "LABLOOP_ERR_INVALID";
    case LABLOOP_ERR_KEY_FILE: return "LABLOOP_ERR_KEY_FILE";
    case LABLOOP_ERR_ENDPOINTS: return "LABLOOP_ERR_ENDPOINTS";
    case LABLOOP_ERR_IO: return "LABLOOP_ERR_IO";
    case LABLOOP_ERR_ZMQ: return "LABLOOP_ERR_ZMQ";
    case LABLOOP_ERR_NO_MEMORY: return "LABLOOP_ERR_NO_MEMORY";
    case LABLOOP_ERR_STATE: return "LABLOOP_ERR_STATE";
    default: return "LABLOOP_ERR_UNKNOWN";
    }
}

int lb_error(labloop_error *err, int status, int sys_errno, const char *format, ...) {
    if (err != NULL) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(err->message, sizeof err->message, format, arguments);
        va_end(arguments);
        err->status = status;
        err->sys_errno = sys_errno;
    }
    return status;
}

int64_t lb_unix_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t lb_monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int lb_random(void *buffer, size_t length) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(fd, (char *)buffer + done, length - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)got;
    }
    close(fd);
    return 0;
}

void lb_uuid(char out[LB_UUID_LENGTH + 1]) {
    uint8_t bytes[16];
    if (lb_random(bytes, sizeof bytes) != 0) {
        /* No /dev/urandom: time and a counter still make ids unique within this process. */
        static uint64_t counter;
        uint64_t parts[2] = {(uint64_t)lb_unix_ms(), (uint64_t)getpid() << 32 | ++counter};
        memcpy(bytes, parts, sizeof bytes);
    }
    bytes[6] = (uint8_t)((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (uint8_t)((bytes[8] & 0x3f) | 0x80);
    snprintf(out, LB_UUID_LENGTH + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
             bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
             bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
}

int lb_is_z85_key(const char *text) {
    if (text == NULL || strlen(text) != LABLOOP_KEY_LENGTH) return 0;
    for (const char *c = text; *c; c++)
        if (strchr(z85_alphabet, *c) == NULL) return 0;
    return 1;
}

char *lb_strdup(const char *text) { return text == NULL ? NULL : strdup(text); }

void lb_envelope_init(Labloop__V1__Envelope *envelope, char message_id[LB_UUID_LENGTH + 1], const char *sender,
                      uint64_t session_seq) {
    labloop__v1__envelope__init(envelope);
    lb_envelope_header(envelope, message_id, sender, session_seq);
}

void lb_envelope_header(Labloop__V1__Envelope *envelope, char message_id[LB_UUID_LENGTH + 1], const char *sender,
                        uint64_t session_seq) {
    lb_uuid(message_id);
    envelope->protocol_version = 1;
    envelope->message_id = message_id;
    envelope->sender = (char *)sender;
    envelope->session_seq = session_seq;
    envelope->sent_unix_ms = lb_unix_ms();
}

uint8_t *lb_envelope_pack(const Labloop__V1__Envelope *envelope, size_t *length) {
    *length = labloop__v1__envelope__get_packed_size(envelope);
    uint8_t *buffer = malloc(*length > 0 ? *length : 1);
    if (buffer != NULL) labloop__v1__envelope__pack(envelope, buffer);
    return buffer;
}
