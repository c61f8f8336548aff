/* The agent's state, shared by the public calls (agent.c) and the I/O thread (agent_io.c). */
#ifndef LABLOOP_AGENT_INTERNAL_H
#define LABLOOP_AGENT_INTERNAL_H

#include <pthread.h>
#include <zmq.h>

#include "internal.h"

/* A result waiting for its ResultAck. */
typedef struct lb_pending {
    char *message_id;
    char *experiment_id;
    uint8_t *frame;
    size_t length;
    int64_t next_send; /* monotonic ms */
    int64_t interval;  /* doubles after each send, up to max_resend_ms */
    struct lb_pending *next;
} lb_pending;

/* An accepted experiment whose result has not been reported yet. */
typedef struct lb_running {
    char *experiment_id;
    int cancelled; /* the coordinator asked to stop it */
    int unwanted;  /* the coordinator does not want its result (welcome's cancel list) */
    struct lb_running *next;
} lb_running;

/* A job as handed to the application: the public part first, then what it points into. */
typedef struct lb_job {
    labloop_job job;
    labloop_named_value *values;
    char **measurements;
    int64_t started_unix_ms;
    struct lb_job *next; /* in the queue of jobs not yet taken */
} lb_job;

/* A frame queued by an application thread for the I/O thread (progress). */
typedef struct lb_frame {
    uint8_t *data;
    size_t length;
    struct lb_frame *next;
} lb_frame;

struct labloop_agent {
    /* Configuration, fixed after labloop_agent_new. */
    char *endpoint, *instrument_id, *outbox_dir;
    Labloop__V1__AgentHello *hello; /* kind, operations, capacity, software; in_flight filled per hello */
    int64_t resend_ms, max_resend_ms;
    int curve;
    char server_key[LABLOOP_KEY_LENGTH + 1], public_key[LABLOOP_KEY_LENGTH + 1], secret_key[LABLOOP_KEY_LENGTH + 1];
    int log_level;
    void (*log)(void *user, int level, const char *message);
    void *log_user;

    /* Synchronisation. */
    pthread_mutex_t lock;
    pthread_cond_t jobs_ready;
    int wake[2]; /* a pipe: application threads write a byte to wake the I/O thread's poll */
    pthread_t thread;
    int started, stopping, stopped;
    int64_t stop_deadline;

    /* State, under lock. */
    int registered;
    int64_t last_hello, last_heard, last_beat, heartbeat_ms, liveness_ms;
    uint64_t session_seq;
    lb_running *running;
    size_t running_count;
    lb_pending *unacked;
    size_t unacked_count;
    lb_job *queue_head, *queue_tail;
    lb_frame *outgoing_head, *outgoing_tail;

    /* Owned by the I/O thread once started. */
    void *context, *socket;
    void *monitor;    /* with CURVE: handshake failures of socket (a PAIR fed by zmq_socket_monitor) */
    int64_t retry_at; /* when to reconnect after a refused handshake; 0 = not waiting */
};

#define LB_HANDSHAKE_FAILED \
    (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

void lb_log(labloop_agent *agent, int level, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* The I/O thread's body. */
void *lb_io_main(void *agent);

/* Wakes the I/O thread. */
void lb_wake(labloop_agent *agent);

lb_running *lb_find_running(labloop_agent *agent, const char *experiment_id);
void lb_remove_running(labloop_agent *agent, const char *experiment_id);
void lb_pending_free(lb_pending *pending);
/* Removes the pending result with this message id (and its outbox file); returns it detached, or NULL. */
lb_pending *lb_take_pending(labloop_agent *agent, const char *message_id);

#endif
