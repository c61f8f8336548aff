/* The public agent calls: configuration, lifecycle, jobs and results. */
#include "agent_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define DEFAULT_SOFTWARE "labloop-agent-c 0.1"

void lb_log(labloop_agent *agent, int level, const char *format, ...) {
    if (level < agent->log_level) return;
    char message[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (agent->log != NULL) {
        agent->log(agent->log_user, level, message);
        return;
    }
    static const char *const names[] = {"debug", "info", "warning", "error"};
    fprintf(stderr, "labloop-agent %s %s: %s\n", agent->instrument_id, names[level < 0 ? 0 : level > 3 ? 3 : level],
            message);
}

void lb_wake(labloop_agent *agent) {
    char byte = 0;
    ssize_t ignored = write(agent->wake[1], &byte, 1); /* a full pipe is already awake */
    (void)ignored;
}

/* ---- Creating the agent ----------------------------------------------------------------------- */

static int check_config(const labloop_agent_config *config, labloop_error *err) {
    if (config == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "a configuration is required");
    if (config->endpoint == NULL || config->endpoint[0] == '\0')
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "endpoint is required: the coordinator's agents endpoint");
    if (config->outbox_dir == NULL || config->outbox_dir[0] == '\0')
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "outbox_dir is required: where unacknowledged results are kept");
    if (config->capacity < 1) return lb_error(err, LABLOOP_ERR_INVALID, 0, "capacity must be at least 1");
    if (config->operation_count == 0 || config->operations == NULL)
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "at least one operation is required");
    for (size_t i = 0; i < config->operation_count; i++)
        if (config->operations[i].name == NULL || config->operations[i].name[0] == '\0')
            return lb_error(err, LABLOOP_ERR_INVALID, 0, "operation %zu has no name", i);
    if (config->key_file == NULL && config->server_key != NULL)
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "a server key was given without a key file: set key_file too");
    if (config->key_file != NULL && config->server_key == NULL)
        return lb_error(err, LABLOOP_ERR_INVALID, 0,
                        "CURVE needs the coordinator's public key: set server_key (Z85, its coordinator.pub, or the "
                        "serverKey of coordinator.json)");
    return LABLOOP_OK;
}

/* Loads the keys and settles the instrument id (which must equal the key file's principal). */
static int load_identity(labloop_agent *agent, const labloop_agent_config *config, labloop_error *err) {
    const char *id = config->instrument_id;
    if (config->key_file != NULL) {
        labloop_key_file keys;
        int status = labloop_key_file_load(config->key_file, &keys, err);
        if (status != LABLOOP_OK) return status;
        if (keys.secret_key[0] == '\0')
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0,
                            "%s is a public key file (.pub): give this agent's secret .key file", config->key_file);
        if (id != NULL && strcmp(id, keys.principal) != 0)
            return lb_error(err, LABLOOP_ERR_INVALID, 0,
                            "instrument id '%s' differs from the key file's principal '%s': the coordinator refuses "
                            "envelopes whose sender is not the principal",
                            id, keys.principal);
        status = labloop_server_key_load(config->server_key, agent->server_key, err);
        if (status != LABLOOP_OK) return status;
        agent->curve = 1;
        strcpy(agent->public_key, keys.public_key);
        strcpy(agent->secret_key, keys.secret_key);
        agent->instrument_id = strdup(keys.principal);
        memset(&keys, 0, sizeof keys);
    } else {
        if (id == NULL || id[0] == '\0')
            return lb_error(err, LABLOOP_ERR_INVALID, 0, "instrument_id is required (or a key file with a principal)");
        agent->instrument_id = strdup(id);
    }
    return agent->instrument_id != NULL ? LABLOOP_OK : lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
}

/* The hello without in_flight, packed from the configuration and unpacked into memory the agent owns. */
static int build_hello(labloop_agent *agent, const labloop_agent_config *config, labloop_error *err) {
    size_t total_limits = 0;
    for (size_t i = 0; i < config->operation_count; i++) total_limits += config->operations[i].limit_count;
    Labloop__V1__OperationCapability *operations = calloc(config->operation_count, sizeof *operations);
    Labloop__V1__OperationCapability **operation_list = calloc(config->operation_count, sizeof *operation_list);
    Labloop__V1__ParameterLimit *limits = calloc(total_limits + 1, sizeof *limits);
    Labloop__V1__ParameterLimit **limit_list = calloc(total_limits + 1, sizeof *limit_list);
    int status = LABLOOP_OK;
    if (operations == NULL || operation_list == NULL || limits == NULL || limit_list == NULL) {
        status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
        goto done;
    }
    size_t next_limit = 0;
    for (size_t i = 0; i < config->operation_count; i++) {
        const labloop_operation *source = &config->operations[i];
        Labloop__V1__OperationCapability *operation = &operations[i];
        labloop__v1__operation_capability__init(operation);
        operation->name = (char *)source->name;
        operation->n_measurements = source->measurement_count;
        operation->measurements = (char **)source->measurements;
        operation->repeatable = source->repeatable != 0;
        operation->n_limits = source->limit_count;
        operation->limits = &limit_list[next_limit];
        for (size_t j = 0; j < source->limit_count; j++, next_limit++) {
            const labloop_limit *from = &source->limits[j];
            Labloop__V1__ParameterLimit *limit = &limits[next_limit];
            labloop__v1__parameter_limit__init(limit);
            limit->name = (char *)(from->name != NULL ? from->name : "");
            limit->low = from->low;
            limit->high = from->high;
            limit->n_categories = from->category_count;
            limit->categories = (char **)from->categories;
            limit->unit = (char *)(from->unit != NULL ? from->unit : "");
            limit_list[next_limit] = limit;
        }
        operation_list[i] = operation;
    }
    Labloop__V1__AgentHello hello = LABLOOP__V1__AGENT_HELLO__INIT;
    hello.instrument_id = agent->instrument_id;
    hello.kind = (char *)(config->kind != NULL ? config->kind : "");
    hello.n_operations = config->operation_count;
    hello.operations = operation_list;
    hello.capacity = config->capacity;
    hello.software = (char *)(config->software != NULL ? config->software : DEFAULT_SOFTWARE);
    size_t length = labloop__v1__agent_hello__get_packed_size(&hello);
    uint8_t *packed = malloc(length + 1);
    if (packed == NULL) {
        status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
        goto done;
    }
    labloop__v1__agent_hello__pack(&hello, packed);
    agent->hello = labloop__v1__agent_hello__unpack(NULL, length, packed);
    free(packed);
    if (agent->hello == NULL) status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
done:
    free(operations);
    free(operation_list);
    free(limits);
    free(limit_list);
    return status;
}

/* Every result the outbox holds becomes a pending result, due as soon as the agent is registered. */
static int load_outbox(labloop_agent *agent, labloop_error *err) {
    int status = lb_outbox_open(agent->outbox_dir, err);
    if (status != LABLOOP_OK) return status;
    lb_outbox_entry *entries = NULL;
    size_t count = 0, skipped = 0;
    status = lb_outbox_load(agent->outbox_dir, &entries, &count, &skipped, err);
    if (status != LABLOOP_OK) return status;
    if (skipped > 0)
        lb_log(agent, LABLOOP_LOG_ERROR, "%zu files in the outbox %s are not result envelopes; left for inspection",
               skipped, agent->outbox_dir);
    for (size_t i = count; i-- > 0;) {
        lb_pending *pending = calloc(1, sizeof *pending);
        if (pending == NULL) {
            status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
            break;
        }
        pending->message_id = entries[i].message_id;
        pending->experiment_id = entries[i].experiment_id;
        pending->frame = entries[i].frame;
        pending->length = entries[i].length;
        pending->interval = agent->resend_ms;
        entries[i].message_id = entries[i].experiment_id = NULL;
        entries[i].frame = NULL;
        pending->next = agent->unacked;
        agent->unacked = pending;
        agent->unacked_count++;
    }
    lb_outbox_entries_free(entries, count);
    if (status == LABLOOP_OK && agent->unacked_count > 0)
        lb_log(agent, LABLOOP_LOG_INFO, "%zu unacknowledged results in the outbox will be resent after registering",
               agent->unacked_count);
    return status;
}

int labloop_agent_new(const labloop_agent_config *config, labloop_agent **out, labloop_error *err) {
    if (out == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "out is required");
    *out = NULL;
    int status = check_config(config, err);
    if (status != LABLOOP_OK) return status;
    labloop_agent *agent = calloc(1, sizeof *agent);
    if (agent == NULL) return lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
    agent->wake[0] = agent->wake[1] = -1;
    agent->log = config->log;
    agent->log_user = config->log_user;
    agent->log_level = config->log_level;
    agent->resend_ms = config->resend_interval_ms > 0 ? config->resend_interval_ms : 2000;
    agent->max_resend_ms = config->max_resend_interval_ms > 0 ? config->max_resend_interval_ms : 30000;
    if (agent->max_resend_ms < agent->resend_ms) agent->max_resend_ms = agent->resend_ms;
    agent->heartbeat_ms = 1000;
    agent->liveness_ms = 5000;
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_mutex_init(&agent->lock, NULL);
    pthread_cond_init(&agent->jobs_ready, &attributes);
    pthread_condattr_destroy(&attributes);
    agent->endpoint = strdup(config->endpoint);
    agent->outbox_dir = strdup(config->outbox_dir);
    if (agent->endpoint == NULL || agent->outbox_dir == NULL) {
        status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
    } else if (pipe(agent->wake) != 0) {
        status = lb_error(err, LABLOOP_ERR_IO, errno, "cannot create a wake-up pipe: %s", strerror(errno));
    } else {
        fcntl(agent->wake[0], F_SETFL, O_NONBLOCK);
        fcntl(agent->wake[1], F_SETFL, O_NONBLOCK);
        status = load_identity(agent, config, err);
    }
    if (status == LABLOOP_OK) status = build_hello(agent, config, err);
    if (status == LABLOOP_OK) status = load_outbox(agent, err);
    if (status != LABLOOP_OK) {
        labloop_agent_free(agent);
        return status;
    }
    *out = agent;
    return LABLOOP_OK;
}

/* ---- Starting and stopping -------------------------------------------------------------------- */

static int set_option(void *socket, int option, int value) { return zmq_setsockopt(socket, option, &value, sizeof value); }

/* Protocol.md §4's peer options, then the CURVE client keys, then connect. */
static int open_socket(labloop_agent *agent, labloop_error *err) {
    unsigned jitter = 0;
    if (lb_random(&jitter, sizeof jitter) != 0) jitter = (unsigned)getpid();
    int64_t max_message = LB_MAX_MESSAGE_BYTES;
    int failed = set_option(agent->socket, ZMQ_RECONNECT_IVL, 1000 + (int)(jitter % 1000)) ||
                 set_option(agent->socket, ZMQ_RECONNECT_IVL_MAX, 5000) || set_option(agent->socket, ZMQ_LINGER, 500) ||
                 zmq_setsockopt(agent->socket, ZMQ_MAXMSGSIZE, &max_message, sizeof max_message) ||
                 set_option(agent->socket, ZMQ_HANDSHAKE_IVL, 5000) ||
                 set_option(agent->socket, ZMQ_HEARTBEAT_IVL, 2000) ||
                 set_option(agent->socket, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
                 set_option(agent->socket, ZMQ_SNDHWM, 10000) ||
                 set_option(agent->socket, ZMQ_RCVHWM, 10000);
    if (failed) return lb_error(err, LABLOOP_ERR_ZMQ, zmq_errno(), "cannot set socket options: %s", zmq_strerror(zmq_errno()));
    if (agent->curve &&
        (zmq_setsockopt(agent->socket, ZMQ_CURVE_SERVERKEY, agent->server_key, LABLOOP_KEY_LENGTH + 1) ||
         zmq_setsockopt(agent->socket, ZMQ_CURVE_PUBLICKEY, agent->public_key, LABLOOP_KEY_LENGTH + 1) ||
         zmq_setsockopt(agent->socket, ZMQ_CURVE_SECRETKEY, agent->secret_key, LABLOOP_KEY_LENGTH + 1)))
        return lb_error(err, LABLOOP_ERR_ZMQ, zmq_errno(), "cannot set the CURVE keys: %s (is libzmq built with CURVE?)",
                        zmq_strerror(zmq_errno()));
    if (agent->curve) { /* libzmq does not retry a refused handshake: watch for one (agent_io.c reconnects) */
        char address[64];
        snprintf(address, sizeof address, "inproc://labloop-agent-monitor-%p", (void *)agent);
        if (zmq_socket_monitor(agent->socket, address, LB_HANDSHAKE_FAILED) != 0 ||
            (agent->monitor = zmq_socket(agent->context, ZMQ_PAIR)) == NULL || zmq_connect(agent->monitor, address) != 0)
            return lb_error(err, LABLOOP_ERR_ZMQ, zmq_errno(), "cannot monitor the socket: %s", zmq_strerror(zmq_errno()));
    }
    if (zmq_connect(agent->socket, agent->endpoint) != 0)
        return lb_error(err, LABLOOP_ERR_ZMQ, zmq_errno(), "cannot connect to %s: %s", agent->endpoint,
                        zmq_strerror(zmq_errno()));
    return LABLOOP_OK;
}

int labloop_agent_start(labloop_agent *agent, labloop_error *err) {
    if (agent == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "agent is required");
    if (agent->started) return lb_error(err, LABLOOP_ERR_STATE, 0, "the agent was already started");
    agent->context = zmq_ctx_new();
    agent->socket = agent->context != NULL ? zmq_socket(agent->context, ZMQ_DEALER) : NULL;
    int status = agent->socket != NULL
                     ? open_socket(agent, err)
                     : lb_error(err, LABLOOP_ERR_ZMQ, zmq_errno(), "cannot create a socket: %s", zmq_strerror(zmq_errno()));
    if (status == LABLOOP_OK) {
        agent->started = 1; /* before the thread exists, so that stop() joins it */
        int failed = pthread_create(&agent->thread, NULL, lb_io_main, agent);
        if (failed == 0) return LABLOOP_OK;
        agent->started = 0;
        status = lb_error(err, LABLOOP_ERR_NO_MEMORY, failed, "cannot start the I/O thread: %s", strerror(failed));
    }
    if (agent->monitor != NULL) zmq_close(agent->monitor);
    if (agent->socket != NULL) zmq_close(agent->socket);
    if (agent->context != NULL) zmq_ctx_term(agent->context);
    agent->socket = agent->context = agent->monitor = NULL;
    return status;
}

int labloop_agent_stop(labloop_agent *agent, unsigned grace_ms, labloop_error *err) {
    if (agent == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "agent is required");
    pthread_mutex_lock(&agent->lock);
    int join = agent->started && !agent->stopping;
    if (!agent->stopping) {
        agent->stopping = 1;
        agent->stop_deadline = lb_monotonic_ms() + grace_ms;
        for (lb_running *running = agent->running; running != NULL; running = running->next) running->cancelled = 1;
    }
    if (!agent->started) agent->stopped = 1;
    pthread_cond_broadcast(&agent->jobs_ready);
    pthread_mutex_unlock(&agent->lock);
    if (join) {
        lb_wake(agent);
        pthread_join(agent->thread, NULL);
    }
    return LABLOOP_OK;
}

static void free_job(lb_job *job) {
    if (job == NULL) return;
    for (size_t i = 0; i < job->job.parameter_count; i++) {
        free((char *)job->values[i].name);
        free((char *)job->values[i].category);
    }
    for (size_t i = 0; i < job->job.measurement_count; i++) free(job->measurements[i]);
    free(job->values);
    free(job->measurements);
    free((char *)job->job.experiment_id);
    free((char *)job->job.campaign_id);
    free((char *)job->job.operation);
    free(job);
}

void labloop_job_free(labloop_job *job) { free_job((lb_job *)job); }

void lb_pending_free(lb_pending *pending) {
    if (pending == NULL) return;
    free(pending->message_id);
    free(pending->experiment_id);
    free(pending->frame);
    free(pending);
}

void labloop_agent_free(labloop_agent *agent) {
    if (agent == NULL) return;
    if (agent->started) labloop_agent_stop(agent, 0, NULL);
    while (agent->unacked != NULL) {
        lb_pending *next = agent->unacked->next;
        lb_pending_free(agent->unacked);
        agent->unacked = next;
    }
    while (agent->running != NULL) {
        lb_running *next = agent->running->next;
        free(agent->running->experiment_id);
        free(agent->running);
        agent->running = next;
    }
    while (agent->queue_head != NULL) {
        lb_job *next = agent->queue_head->next;
        free_job(agent->queue_head);
        agent->queue_head = next;
    }
    while (agent->outgoing_head != NULL) {
        lb_frame *next = agent->outgoing_head->next;
        free(agent->outgoing_head->data);
        free(agent->outgoing_head);
        agent->outgoing_head = next;
    }
    if (agent->hello != NULL) labloop__v1__agent_hello__free_unpacked(agent->hello, NULL);
    if (agent->wake[0] >= 0) close(agent->wake[0]);
    if (agent->wake[1] >= 0) close(agent->wake[1]);
    pthread_cond_destroy(&agent->jobs_ready);
    pthread_mutex_destroy(&agent->lock);
    free(agent->endpoint);
    free(agent->instrument_id);
    free(agent->outbox_dir);
    memset(agent->secret_key, 0, sizeof agent->secret_key);
    free(agent);
}

/* ---- Jobs ------------------------------------------------------------------------------------- */

int labloop_agent_next_job(labloop_agent *agent, int timeout_ms, labloop_job **job, labloop_error *err) {
    if (agent == NULL || job == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "agent and job are required");
    *job = NULL;
    if (!agent->started) return lb_error(err, LABLOOP_ERR_STATE, 0, "the agent is not started: call labloop_agent_start");
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms > 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&agent->lock);
    int result = 0;
    for (;;) {
        if (agent->stopping || agent->stopped) {
            result = lb_error(err, LABLOOP_ERR_STATE, 0, "the agent is stopping");
            break;
        }
        if (agent->queue_head != NULL) {
            lb_job *taken = agent->queue_head;
            agent->queue_head = taken->next;
            if (agent->queue_head == NULL) agent->queue_tail = NULL;
            taken->next = NULL;
            *job = &taken->job;
            result = 1;
            break;
        }
        if (timeout_ms == 0) break;
        int waited = timeout_ms < 0 ? pthread_cond_wait(&agent->jobs_ready, &agent->lock)
                                    : pthread_cond_timedwait(&agent->jobs_ready, &agent->lock, &deadline);
        if (waited == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&agent->lock);
    return result;
}

const labloop_named_value *labloop_job_parameter(const labloop_job *job, const char *name) {
    if (job == NULL || name == NULL) return NULL;
    for (size_t i = 0; i < job->parameter_count; i++)
        if (strcmp(job->parameters[i].name, name) == 0) return &job->parameters[i];
    return NULL;
}

int labloop_job_number(const labloop_job *job, const char *name, double *out, labloop_error *err) {
    const labloop_named_value *value = labloop_job_parameter(job, name);
    if (value == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "parameter '%s' is missing", name ? name : "(null)");
    if (value->kind == LABLOOP_VALUE_CATEGORY)
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "parameter '%s' is a category, not a number", name);
    *out = value->kind == LABLOOP_VALUE_REAL ? value->real : (double)value->integer;
    return LABLOOP_OK;
}

int labloop_agent_cancel_requested(labloop_agent *agent, const labloop_job *job) {
    if (agent == NULL || job == NULL) return 0;
    pthread_mutex_lock(&agent->lock);
    lb_running *running = lb_find_running(agent, job->experiment_id);
    int cancelled = running != NULL && running->cancelled;
    pthread_mutex_unlock(&agent->lock);
    return cancelled;
}

/* ---- Results and progress --------------------------------------------------------------------- */

static int fill_measurements(Labloop__V1__NamedValue *named, Labloop__V1__Value *values,
                             Labloop__V1__NamedValue **list, const labloop_named_value *measurements, size_t count,
                             labloop_error *err) {
    for (size_t i = 0; i < count; i++) {
        const labloop_named_value *from = &measurements[i];
        if (from->name == NULL || from->name[0] == '\0')
            return lb_error(err, LABLOOP_ERR_INVALID, 0, "measurement %zu has no name", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(measurements[j].name, from->name) == 0)
                return lb_error(err, LABLOOP_ERR_INVALID, 0, "measurement '%s' is given twice", from->name);
        labloop__v1__named_value__init(&named[i]);
        labloop__v1__value__init(&values[i]);
        if (from->kind == LABLOOP_VALUE_REAL) {
            if (from->real != from->real || from->real - from->real != 0)
                return lb_error(err, LABLOOP_ERR_INVALID, 0, "measurement '%s' must be finite", from->name);
            values[i].kind_case = LABLOOP__V1__VALUE__KIND_REAL;
            values[i].real = from->real;
        } else if (from->kind == LABLOOP_VALUE_INTEGER) {
            values[i].kind_case = LABLOOP__V1__VALUE__KIND_INTEGER;
            values[i].integer = from->integer;
        } else {
            return lb_error(err, LABLOOP_ERR_INVALID, 0, "measurement '%s' must be a real or an integer", from->name);
        }
        named[i].name = (char *)from->name;
        named[i].value = &values[i];
        list[i] = &named[i];
    }
    return LABLOOP_OK;
}

/* Builds the result envelope, makes it durable, and hands it to the I/O thread. */
static int report(labloop_agent *agent, const labloop_job *job, Labloop__V1__ExperimentResult *result,
                  labloop_error *err) {
    const lb_job *owner = (const lb_job *)job;
    result->experiment_id = (char *)job->experiment_id;
    result->attempt = job->attempt;
    result->started_unix_ms = owner->started_unix_ms;
    result->finished_unix_ms = lb_unix_ms();
    pthread_mutex_lock(&agent->lock);
    int known = lb_find_running(agent, job->experiment_id) != NULL;
    uint64_t seq = ++agent->session_seq;
    pthread_mutex_unlock(&agent->lock);
    if (!known)
        return lb_error(err, LABLOOP_ERR_STATE, 0, "experiment %s is not running here (reported twice?)",
                        job->experiment_id);
    Labloop__V1__Envelope envelope;
    char message_id[LB_UUID_LENGTH + 1];
    lb_envelope_init(&envelope, message_id, agent->instrument_id, seq);
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_RESULT;
    envelope.result = result;
    lb_pending *pending = calloc(1, sizeof *pending);
    if (pending != NULL) {
        pending->frame = lb_envelope_pack(&envelope, &pending->length);
        pending->message_id = strdup(message_id);
        pending->experiment_id = strdup(job->experiment_id);
    }
    if (pending == NULL || pending->frame == NULL || pending->message_id == NULL || pending->experiment_id == NULL) {
        lb_pending_free(pending);
        return lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory building the result");
    }
    labloop_error write_error;
    if (lb_outbox_put(agent->outbox_dir, message_id, pending->frame, pending->length, &write_error) != LABLOOP_OK)
        lb_log(agent, LABLOOP_LOG_ERROR, "the result of %s is not durable, sending it anyway: %s", job->experiment_id,
               write_error.message);
    pthread_mutex_lock(&agent->lock);
    lb_running *running = lb_find_running(agent, job->experiment_id);
    int unwanted = running == NULL || running->unwanted;
    lb_remove_running(agent, job->experiment_id);
    if (unwanted) {
        lb_outbox_remove(agent->outbox_dir, message_id);
        lb_log(agent, LABLOOP_LOG_INFO, "dropped the result of %s: the coordinator no longer wants it",
               job->experiment_id);
        lb_pending_free(pending);
    } else {
        pending->next_send = lb_monotonic_ms(); /* the I/O thread sends it at once */
        pending->interval = agent->resend_ms;
        pending->next = agent->unacked;
        agent->unacked = pending;
        agent->unacked_count++;
    }
    pthread_mutex_unlock(&agent->lock);
    lb_wake(agent);
    return LABLOOP_OK;
}

int labloop_agent_succeed(labloop_agent *agent, const labloop_job *job, const labloop_named_value *measurements,
                          size_t count, labloop_error *err) {
    if (agent == NULL || job == NULL || (count > 0 && measurements == NULL))
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "agent, job and measurements are required");
    Labloop__V1__NamedValue *named = calloc(count + 1, sizeof *named);
    Labloop__V1__Value *values = calloc(count + 1, sizeof *values);
    Labloop__V1__NamedValue **list = calloc(count + 1, sizeof *list);
    int status = named && values && list ? fill_measurements(named, values, list, measurements, count, err)
                                         : lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory");
    if (status == LABLOOP_OK) {
        Labloop__V1__ExperimentResult result = LABLOOP__V1__EXPERIMENT_RESULT__INIT;
        result.outcome = LABLOOP__V1__OUTCOME__OUTCOME_SUCCEEDED;
        result.n_measurements = count;
        result.measurements = list;
        status = report(agent, job, &result, err);
    }
    free(named);
    free(values);
    free(list);
    return status;
}

int labloop_agent_fail(labloop_agent *agent, const labloop_job *job, const char *kind, const char *message,
                       labloop_error *err) {
    if (agent == NULL || job == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "agent and job are required");
    if (kind == NULL || kind[0] == '\0')
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "a failure kind is required, e.g. \"transient\" or \"hardware\"");
    Labloop__V1__Failure failure = LABLOOP__V1__FAILURE__INIT;
    failure.kind = (char *)kind;
    failure.message = (char *)(message != NULL ? message : "");
    Labloop__V1__ExperimentResult result = LABLOOP__V1__EXPERIMENT_RESULT__INIT;
    result.outcome = LABLOOP__V1__OUTCOME__OUTCOME_FAILED;
    result.failure = &failure;
    return report(agent, job, &result, err);
}

int labloop_agent_progress(labloop_agent *agent, const labloop_job *job, double fraction, const char *message) {
    if (agent == NULL || job == NULL) return LABLOOP_ERR_INVALID;
    Labloop__V1__Progress progress = LABLOOP__V1__PROGRESS__INIT;
    progress.experiment_id = (char *)job->experiment_id;
    progress.fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
    progress.message = (char *)(message != NULL ? message : "");
    pthread_mutex_lock(&agent->lock);
    uint64_t seq = ++agent->session_seq;
    pthread_mutex_unlock(&agent->lock);
    Labloop__V1__Envelope envelope;
    char message_id[LB_UUID_LENGTH + 1];
    lb_envelope_init(&envelope, message_id, agent->instrument_id, seq);
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_PROGRESS;
    envelope.progress = &progress;
    lb_frame *frame = calloc(1, sizeof *frame);
    if (frame != NULL) frame->data = lb_envelope_pack(&envelope, &frame->length);
    if (frame == NULL || frame->data == NULL) {
        free(frame);
        return LABLOOP_ERR_NO_MEMORY;
    }
    pthread_mutex_lock(&agent->lock);
    if (agent->outgoing_tail != NULL)
        agent->outgoing_tail->next = frame;
    else
        agent->outgoing_head = frame;
    agent->outgoing_tail = frame;
    pthread_mutex_unlock(&agent->lock);
    lb_wake(agent);
    return LABLOOP_OK;
}

int labloop_agent_registered(labloop_agent *agent) {
    pthread_mutex_lock(&agent->lock);
    int registered = agent->registered;
    pthread_mutex_unlock(&agent->lock);
    return registered;
}

size_t labloop_agent_unacknowledged(labloop_agent *agent) {
    pthread_mutex_lock(&agent->lock);
    size_t count = agent->unacked_count;
    pthread_mutex_unlock(&agent->lock);
    return count;
}
