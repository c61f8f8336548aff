/*
 * LabLoop agent library for C: connects an instrument to a LabLoop coordinator (Docs/protocol.md).
 *
 * A background I/O thread owns the ZeroMQ socket: it says hello (again after any reconnect or
 * coordinator restart), heartbeats, accepts or declines assignments, and resends every result until
 * the coordinator acknowledges it. Results are written to an on-disk outbox (fsynced) before they
 * are first sent, so they survive a crash of the agent. The instrument code takes jobs with
 * labloop_agent_next_job() and reports them with labloop_agent_succeed()/labloop_agent_fail(),
 * from any thread; heartbeats continue while it works.
 *
 * Errors: functions return LABLOOP_OK (0) or a negative labloop_status, and fill the optional
 * labloop_error with a message that says what to do. No function prints unless logging is enabled.
 */
#ifndef LABLOOP_AGENT_H
#define LABLOOP_AGENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LABLOOP_OK = 0,
    LABLOOP_ERR_INVALID = -1,   /* a bad argument or configuration */
    LABLOOP_ERR_KEY_FILE = -2,  /* a key file is unreadable or malformed */
    LABLOOP_ERR_ENDPOINTS = -3, /* coordinator.json is unreadable or malformed */
    LABLOOP_ERR_IO = -4,        /* a file system call failed (the outbox); sys_errno says why */
    LABLOOP_ERR_ZMQ = -5,       /* a libzmq call failed; sys_errno holds zmq_errno() */
    LABLOOP_ERR_NO_MEMORY = -6,
    LABLOOP_ERR_STATE = -7      /* the call does not fit the agent's state (not started, stopped) */
} labloop_status;

typedef struct {
    int status;        /* a labloop_status */
    int sys_errno;     /* errno or zmq_errno() of the failing call, or 0 */
    char message[512]; /* what failed and what to do next */
} labloop_error;

/* A short name for a status, e.g. "LABLOOP_ERR_KEY_FILE". */
const char *labloop_status_name(int status);

/* ---- Keys and endpoints ------------------------------------------------------------------- */

#define LABLOOP_KEY_LENGTH 40 /* a Z85-encoded Curve25519 key */

typedef struct {
    char principal[128];
    char role[16]; /* agent, model, operator or observer */
    char public_key[LABLOOP_KEY_LENGTH + 1];
    char secret_key[LABLOOP_KEY_LENGTH + 1]; /* empty for a .pub file */
} labloop_key_file;

/* Reads a LabLoop .key or .pub file ("name = value" lines, '#' comments). A secret key file that
 * others may read (mode not 0600 or stricter) is refused. */
int labloop_key_file_load(const char *path, labloop_key_file *out, labloop_error *err);

/* The coordinator's public key from a Z85 string or a .pub/.key file; out gets 41 bytes. */
int labloop_server_key_load(const char *z85_or_path, char out[LABLOOP_KEY_LENGTH + 1], labloop_error *err);

typedef struct {
    char agents[256], models[256], control[256], events[256], catch_up[256];
    char server_key[LABLOOP_KEY_LENGTH + 1]; /* "serverKey", empty if the coordinator has none */
} labloop_endpoints;

/* Reads <data dir>/coordinator.json. Members other than the endpoints and serverKey are ignored. */
int labloop_endpoints_load(const char *path, labloop_endpoints *out, labloop_error *err);

/* ---- Configuration -------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    double low, high;              /* numeric bounds; both 0 = none */
    const char *const *categories; /* allowed categories; NULL/0 = any */
    size_t category_count;
    const char *unit;
} labloop_limit;

typedef struct {
    const char *name; /* e.g. "react" */
    const char *const *measurements;
    size_t measurement_count;
    const labloop_limit *limits;
    size_t limit_count;
    int repeatable; /* re-running consumes nothing irreplaceable: a lost attempt may be retried */
} labloop_operation;

enum { LABLOOP_LOG_DEBUG = 0, LABLOOP_LOG_INFO = 1, LABLOOP_LOG_WARNING = 2, LABLOOP_LOG_ERROR = 3 };

typedef struct {
    const char *endpoint;      /* the coordinator's agents endpoint (required) */
    const char *instrument_id; /* NULL: the key file's principal; else it must equal it */
    const char *kind;          /* e.g. "flow-reactor" */
    const labloop_operation *operations;
    size_t operation_count;
    unsigned capacity;      /* experiments run at once, >= 1 */
    const char *outbox_dir; /* unacknowledged results (required; created if missing) */
    const char *key_file;   /* this agent's NAME.key for CURVE; NULL: plain (labloop serve --insecure) */
    const char *server_key; /* the coordinator's public key, Z85 or a .pub file; required with key_file */
    const char *software;   /* free text; NULL: "labloop-agent-c 0.1" */
    unsigned resend_interval_ms;     /* 0: 2000 */
    unsigned max_resend_interval_ms; /* 0: 30000 (the resend interval doubles up to this) */
    int log_level;                   /* messages at or above it go to log (or stderr); default 0 = debug */
    void (*log)(void *user, int level, const char *message);
    void *log_user;
} labloop_agent_config;

/* ---- Agent ---------------------------------------------------------------------------------- */

typedef struct labloop_agent labloop_agent;

typedef enum { LABLOOP_VALUE_REAL = 1, LABLOOP_VALUE_INTEGER = 2, LABLOOP_VALUE_CATEGORY = 3 } labloop_value_kind;

typedef struct {
    const char *name;
    labloop_value_kind kind;
    double real;
    int64_t integer;
    const char *category;
} labloop_named_value;

typedef struct {
    const char *experiment_id;
    unsigned attempt;
    const char *campaign_id;
    const char *operation;
    const labloop_named_value *parameters;
    size_t parameter_count;
    const char *const *measurements; /* what the campaign expects back, the objective first */
    size_t measurement_count;
} labloop_job;

/* Validates the configuration, loads the keys and the outbox. Nothing is connected yet. */
int labloop_agent_new(const labloop_agent_config *config, labloop_agent **out, labloop_error *err);

/* Starts the I/O thread: connects, registers, resends what the outbox holds. */
int labloop_agent_start(labloop_agent *agent, labloop_error *err);

/* Waits up to timeout_ms (-1: forever) for an accepted experiment. Returns 1 with *job set (free it
 * with labloop_job_free after reporting), 0 on timeout, or LABLOOP_ERR_STATE once the agent stops. */
int labloop_agent_next_job(labloop_agent *agent, int timeout_ms, labloop_job **job, labloop_error *err);

/* Reports a successful experiment. The result is durable in the outbox when this returns. */
int labloop_agent_succeed(labloop_agent *agent, const labloop_job *job, const labloop_named_value *measurements,
                          size_t count, labloop_error *err);

/* Reports a failed experiment; kind is matched by campaigns' retry policies (e.g. "transient"). */
int labloop_agent_fail(labloop_agent *agent, const labloop_job *job, const char *kind, const char *message,
                       labloop_error *err);

/* Optional progress (0..1). */
int labloop_agent_progress(labloop_agent *agent, const labloop_job *job, double fraction, const char *message);

/* 1 if the coordinator asked to stop this job (an operator cancelled its campaign), else 0. */
int labloop_agent_cancel_requested(labloop_agent *agent, const labloop_job *job);

/* A parameter by name, or NULL. */
const labloop_named_value *labloop_job_parameter(const labloop_job *job, const char *name);

/* A numeric parameter (real or integer) by name; LABLOOP_ERR_INVALID if absent or not a number. */
int labloop_job_number(const labloop_job *job, const char *name, double *out, labloop_error *err);

void labloop_job_free(labloop_job *job);

/* 1 while registered with the coordinator. */
int labloop_agent_registered(labloop_agent *agent);

/* Results waiting for an acknowledgement. */
size_t labloop_agent_unacknowledged(labloop_agent *agent);

/* Stops: waits up to grace_ms for running jobs to be reported and results acknowledged, sends
 * disconnect, and joins the I/O thread. Unacknowledged results stay in the outbox for next time. */
int labloop_agent_stop(labloop_agent *agent, unsigned grace_ms, labloop_error *err);

/* Frees the agent (stopping it first if needed). */
void labloop_agent_free(labloop_agent *agent);

#ifdef __cplusplus
}
#endif

#endif /* LABLOOP_AGENT_H */
