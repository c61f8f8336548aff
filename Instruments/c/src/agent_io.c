/* The I/O thread: hello, heartbeats, assignments, acknowledgements and resends (protocol.md §5-6). */
#include "agent_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define HELLO_EVERY_MS 2000
#define NEVER INT64_MIN

lb_running *lb_find_running(labloop_agent *agent, const char *experiment_id) {
    for (lb_running *running = agent->running; running != NULL; running = running->next)
        if (strcmp(running->experiment_id, experiment_id) == 0) return running;
    return NULL;
}

void lb_remove_running(labloop_agent *agent, const char *experiment_id) {
    for (lb_running **link = &agent->running; *link != NULL; link = &(*link)->next) {
        if (strcmp((*link)->experiment_id, experiment_id) == 0) {
            lb_running *gone = *link;
            *link = gone->next;
            free(gone->experiment_id);
            free(gone);
            agent->running_count--;
            return;
        }
    }
}

lb_pending *lb_take_pending(labloop_agent *agent, const char *message_id) {
    for (lb_pending **link = &agent->unacked; *link != NULL; link = &(*link)->next) {
        if (strcmp((*link)->message_id, message_id) == 0) {
            lb_pending *taken = *link;
            *link = taken->next;
            taken->next = NULL;
            agent->unacked_count--;
            lb_outbox_remove(agent->outbox_dir, message_id);
            return taken;
        }
    }
    return NULL;
}

static void send_frame(labloop_agent *agent, const uint8_t *data, size_t length) {
    if (zmq_send(agent->socket, data, length, ZMQ_DONTWAIT) < 0)
        lb_log(agent, LABLOOP_LOG_WARNING, "message not sent (%s); results are resent", zmq_strerror(zmq_errno()));
}

/* Sends an envelope whose body is set; the header is filled here. Called with the lock held. */
static void send_envelope(labloop_agent *agent, Labloop__V1__Envelope *envelope) {
    char message_id[LB_UUID_LENGTH + 1];
    lb_envelope_header(envelope, message_id, agent->instrument_id, ++agent->session_seq);
    size_t length = 0;
    uint8_t *packed = lb_envelope_pack(envelope, &length);
    if (packed == NULL) {
        lb_log(agent, LABLOOP_LOG_ERROR, "out of memory packing a message");
        return;
    }
    send_frame(agent, packed, length);
    free(packed);
}

static void send_hello(labloop_agent *agent, int64_t now) {
    size_t capacity = agent->running_count + agent->unacked_count, count = 0;
    char **in_flight = calloc(capacity + 1, sizeof *in_flight);
    if (in_flight == NULL) {
        lb_log(agent, LABLOOP_LOG_ERROR, "out of memory building the hello");
        return;
    }
    for (lb_running *running = agent->running; running != NULL; running = running->next)
        in_flight[count++] = running->experiment_id;
    for (lb_pending *pending = agent->unacked; pending != NULL; pending = pending->next) {
        int listed = 0;
        for (size_t i = 0; i < count && !listed; i++) listed = strcmp(in_flight[i], pending->experiment_id) == 0;
        if (!listed) in_flight[count++] = pending->experiment_id;
    }
    agent->hello->n_in_flight = count;
    agent->hello->in_flight = in_flight;
    agent->session_seq = 0; /* session_seq starts again at 1 with each hello */
    Labloop__V1__Envelope body = LABLOOP__V1__ENVELOPE__INIT;
    body.body_case = LABLOOP__V1__ENVELOPE__BODY_AGENT_HELLO;
    body.agent_hello = agent->hello;
    send_envelope(agent, &body);
    agent->hello->n_in_flight = 0;
    agent->hello->in_flight = NULL;
    free(in_flight);
    agent->last_hello = now;
    lb_log(agent, LABLOOP_LOG_DEBUG, "hello sent with %zu experiments in flight", count);
}

static void send_heartbeat(labloop_agent *agent) {
    Labloop__V1__Heartbeat heartbeat = LABLOOP__V1__HEARTBEAT__INIT;
    heartbeat.running = (uint32_t)agent->running_count;
    Labloop__V1__Envelope body = LABLOOP__V1__ENVELOPE__INIT;
    body.body_case = LABLOOP__V1__ENVELOPE__BODY_HEARTBEAT;
    body.heartbeat = &heartbeat;
    send_envelope(agent, &body);
}

static void answer_assignment(labloop_agent *agent, const char *experiment_id, const char *decline_reason) {
    Labloop__V1__AssignmentAccepted accepted = LABLOOP__V1__ASSIGNMENT_ACCEPTED__INIT;
    Labloop__V1__AssignmentDeclined declined = LABLOOP__V1__ASSIGNMENT_DECLINED__INIT;
    Labloop__V1__Envelope body = LABLOOP__V1__ENVELOPE__INIT;
    if (decline_reason == NULL) {
        accepted.experiment_id = (char *)experiment_id;
        body.body_case = LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_ACCEPTED;
        body.assignment_accepted = &accepted;
    } else {
        declined.experiment_id = (char *)experiment_id;
        declined.reason = (char *)decline_reason;
        body.body_case = LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_DECLINED;
        body.assignment_declined = &declined;
        lb_log(agent, LABLOOP_LOG_INFO, "declined %s: %s", experiment_id, decline_reason);
    }
    send_envelope(agent, &body);
}

/* Hello until welcomed, heartbeats, resends, progress; noticing a silent coordinator. Lock held. */
static void maintain(labloop_agent *agent, int64_t now) {
    if (agent->registered && now - agent->last_heard > agent->liveness_ms) {
        lb_log(agent, LABLOOP_LOG_WARNING, "coordinator silent for %lld ms; registering again",
               (long long)(now - agent->last_heard));
        agent->registered = 0;
        agent->last_hello = NEVER;
    }
    if (!agent->registered && (agent->last_hello == NEVER || now - agent->last_hello >= HELLO_EVERY_MS))
        send_hello(agent, now);
    if (agent->registered && now - agent->last_beat >= agent->heartbeat_ms) {
        send_heartbeat(agent);
        agent->last_beat = now;
    }
    if (agent->registered) {
        for (lb_pending *pending = agent->unacked; pending != NULL; pending = pending->next) {
            if (pending->next_send > now) continue;
            send_frame(agent, pending->frame, pending->length);
            pending->next_send = now + pending->interval;
            pending->interval = pending->interval * 2 < agent->max_resend_ms ? pending->interval * 2 : agent->max_resend_ms;
        }
    }
    while (agent->outgoing_head != NULL) {
        lb_frame *frame = agent->outgoing_head;
        agent->outgoing_head = frame->next;
        if (agent->registered) send_frame(agent, frame->data, frame->length);
        free(frame->data);
        free(frame);
    }
    agent->outgoing_tail = NULL;
}

static void welcomed(labloop_agent *agent, const Labloop__V1__AgentWelcome *welcome, int64_t now) {
    agent->registered = 1;
    agent->last_beat = now;
    agent->heartbeat_ms = welcome->heartbeat_interval_ms >= 100 ? welcome->heartbeat_interval_ms : 1000;
    agent->liveness_ms = welcome->liveness_timeout_ms >= 1000 ? welcome->liveness_timeout_ms : 5000;
    for (size_t i = 0; i < welcome->n_cancel; i++) {
        const char *experiment_id = welcome->cancel[i];
        lb_running *running = lb_find_running(agent, experiment_id);
        if (running != NULL) running->cancelled = running->unwanted = 1;
        for (lb_pending *pending = agent->unacked, *next; pending != NULL; pending = next) {
            next = pending->next;
            if (strcmp(pending->experiment_id, experiment_id) != 0) continue;
            lb_log(agent, LABLOOP_LOG_INFO, "dropping the result of %s: the coordinator no longer wants it",
                   experiment_id);
            lb_pending_free(lb_take_pending(agent, pending->message_id));
        }
    }
    for (lb_pending *pending = agent->unacked; pending != NULL; pending = pending->next) {
        pending->next_send = now; /* resend everything now that the coordinator knows us again */
        pending->interval = agent->resend_ms;
    }
    lb_log(agent, LABLOOP_LOG_INFO, "registered (session %s); %zu results to resend", welcome->session_id,
           agent->unacked_count);
}

/* The job handed to the application, with copies of everything it points to. */
static lb_job *make_job(const Labloop__V1__Assignment *assignment, const char **problem) {
    lb_job *job = calloc(1, sizeof *job);
    if (job == NULL) return NULL;
    job->started_unix_ms = lb_unix_ms();
    job->job.attempt = assignment->attempt;
    job->job.experiment_id = strdup(assignment->experiment_id);
    job->job.campaign_id = strdup(assignment->campaign_id);
    job->job.operation = strdup(assignment->operation);
    job->values = calloc(assignment->n_parameters + 1, sizeof *job->values);
    job->measurements = calloc(assignment->n_measurements + 1, sizeof *job->measurements);
    int ok = job->job.experiment_id && job->job.campaign_id && job->job.operation && job->values && job->measurements;
    for (size_t i = 0; ok && i < assignment->n_parameters; i++) {
        const Labloop__V1__NamedValue *from = assignment->parameters[i];
        labloop_named_value *to = &job->values[i];
        job->job.parameter_count = i + 1;
        to->name = strdup(from->name);
        ok = to->name != NULL;
        if (from->value == NULL || from->value->kind_case == LABLOOP__V1__VALUE__KIND__NOT_SET) {
            *problem = "a parameter value has no kind";
            ok = 0;
        } else if (from->value->kind_case == LABLOOP__V1__VALUE__KIND_REAL) {
            to->kind = LABLOOP_VALUE_REAL;
            to->real = from->value->real;
        } else if (from->value->kind_case == LABLOOP__V1__VALUE__KIND_INTEGER) {
            to->kind = LABLOOP_VALUE_INTEGER;
            to->integer = from->value->integer;
        } else {
            to->kind = LABLOOP_VALUE_CATEGORY;
            to->category = strdup(from->value->category);
            ok = ok && to->category != NULL;
        }
    }
    for (size_t i = 0; ok && i < assignment->n_measurements; i++) {
        job->measurements[i] = strdup(assignment->measurements[i]);
        job->job.measurement_count = i + 1;
        ok = job->measurements[i] != NULL;
    }
    job->job.parameters = job->values;
    job->job.measurements = (const char *const *)job->measurements;
    if (!ok) {
        labloop_job_free(&job->job);
        return NULL;
    }
    return job;
}

static void assign(labloop_agent *agent, const Labloop__V1__Assignment *assignment) {
    const char *experiment_id = assignment->experiment_id;
    if (lb_find_running(agent, experiment_id) != NULL) { /* seen before: answer again, never run twice */
        answer_assignment(agent, experiment_id, NULL);
        return;
    }
    for (lb_pending *pending = agent->unacked; pending != NULL; pending = pending->next)
        if (strcmp(pending->experiment_id, experiment_id) == 0) return; /* finished; its result is on its way */
    int offered = 0;
    for (size_t i = 0; i < agent->hello->n_operations && !offered; i++)
        offered = strcmp(agent->hello->operations[i]->name, assignment->operation) == 0;
    const char *decline = !offered ? "operation not offered"
                          : agent->running_count >= agent->hello->capacity ? "at capacity"
                                                                           : NULL;
    if (decline != NULL) {
        answer_assignment(agent, experiment_id, decline);
        return;
    }
    const char *problem = "out of memory";
    lb_job *job = make_job(assignment, &problem);
    lb_running *running = calloc(1, sizeof *running);
    char *id = strdup(experiment_id);
    if (job == NULL || running == NULL || id == NULL) {
        if (job != NULL) labloop_job_free(&job->job);
        free(running);
        free(id);
        answer_assignment(agent, experiment_id, problem);
        return;
    }
    running->experiment_id = id;
    running->next = agent->running;
    agent->running = running;
    agent->running_count++;
    if (agent->queue_tail != NULL)
        agent->queue_tail->next = job;
    else
        agent->queue_head = job;
    agent->queue_tail = job;
    answer_assignment(agent, experiment_id, NULL);
    pthread_cond_signal(&agent->jobs_ready);
    lb_log(agent, LABLOOP_LOG_INFO, "accepted %s (attempt %u)", experiment_id, assignment->attempt);
}

static void acknowledged(labloop_agent *agent, const char *message_id, const Labloop__V1__ResultAck *ack) {
    lb_pending *pending = lb_take_pending(agent, message_id);
    if (pending == NULL) return; /* an answer to a resend already settled */
    if (ack->status == LABLOOP__V1__ACK_STATUS__ACK_STATUS_REJECTED)
        lb_log(agent, LABLOOP_LOG_ERROR, "result of %s rejected (message %s): %s", pending->experiment_id, message_id,
               ack->reason);
    else
        lb_log(agent, LABLOOP_LOG_INFO, "result of %s acknowledged (message %s, %s)", pending->experiment_id, message_id,
               ack->status == LABLOOP__V1__ACK_STATUS__ACK_STATUS_DUPLICATE ? "duplicate" : "stored");
    lb_pending_free(pending);
}

static void handle(labloop_agent *agent, const Labloop__V1__Envelope *envelope, int64_t now) {
    agent->last_heard = now;
    switch (envelope->body_case) {
    case LABLOOP__V1__ENVELOPE__BODY_AGENT_WELCOME: welcomed(agent, envelope->agent_welcome, now); break;
    case LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT: assign(agent, envelope->assignment); break;
    case LABLOOP__V1__ENVELOPE__BODY_RESULT_ACK: acknowledged(agent, envelope->correlation_id, envelope->result_ack); break;
    case LABLOOP__V1__ENVELOPE__BODY_CANCEL: {
        lb_running *running = lb_find_running(agent, envelope->cancel->experiment_id);
        if (running != NULL) running->cancelled = 1;
        lb_log(agent, LABLOOP_LOG_INFO, "cancel requested for %s: %s", envelope->cancel->experiment_id,
               envelope->cancel->reason);
        break;
    }
    case LABLOOP__V1__ENVELOPE__BODY_ERROR:
        if (envelope->error->code == LABLOOP__V1__ERROR_CODE__ERROR_CODE_NOT_REGISTERED) {
            lb_log(agent, LABLOOP_LOG_INFO, "the coordinator does not know this session; registering again");
            agent->registered = 0;
            agent->last_hello = NEVER;
        } else {
            lb_log(agent, LABLOOP_LOG_WARNING, "the coordinator refused a message (code %d): %s", envelope->error->code,
                   envelope->error->reason);
        }
        break;
    case LABLOOP__V1__ENVELOPE__BODY_DISCONNECT:
        agent->registered = 0;
        agent->last_hello = NEVER;
        break;
    default: break; /* heartbeat replies: only a sign of life */
    }
}

static void receive_all(labloop_agent *agent) {
    for (;;) {
        zmq_msg_t message;
        zmq_msg_init(&message);
        if (zmq_msg_recv(&message, agent->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&message);
            return;
        }
        int more = zmq_msg_more(&message);
        Labloop__V1__Envelope *envelope =
            more ? NULL : labloop__v1__envelope__unpack(NULL, zmq_msg_size(&message), zmq_msg_data(&message));
        zmq_msg_close(&message);
        while (more) { /* one envelope per message: drop the rest of a multipart one */
            zmq_msg_init(&message);
            more = zmq_msg_recv(&message, agent->socket, 0) >= 0 && zmq_msg_more(&message);
            zmq_msg_close(&message);
        }
        if (envelope == NULL || envelope->protocol_version != 1) {
            lb_log(agent, LABLOOP_LOG_WARNING, "ignored a malformed message from the coordinator");
            if (envelope != NULL) labloop__v1__envelope__free_unpacked(envelope, NULL);
            continue;
        }
        pthread_mutex_lock(&agent->lock);
        handle(agent, envelope, lb_monotonic_ms());
        pthread_mutex_unlock(&agent->lock);
        labloop__v1__envelope__free_unpacked(envelope, NULL);
    }
}

/* Handshake failures from the monitor: reconnect 1-2 s later (libzmq would not), saying why. */
static void check_handshakes(labloop_agent *agent, int64_t now) {
    for (;;) {
        zmq_msg_t event, address;
        zmq_msg_init(&event);
        zmq_msg_init(&address);
        int got = zmq_msg_recv(&event, agent->monitor, ZMQ_DONTWAIT) >= 0;
        if (got && zmq_msg_more(&event)) zmq_msg_recv(&address, agent->monitor, 0);
        uint16_t number = 0;
        if (got && zmq_msg_size(&event) >= sizeof number) memcpy(&number, zmq_msg_data(&event), sizeof number);
        zmq_msg_close(&event);
        zmq_msg_close(&address);
        if (!got) break;
        if (agent->retry_at != 0) continue;
        unsigned jitter = 0;
        lb_random(&jitter, sizeof jitter);
        agent->retry_at = now + 1000 + jitter % 1000;
        if (number == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            lb_log(agent, LABLOOP_LOG_WARNING,
                   "the coordinator refused this agent's key at %s: is its .pub allowed there (labloop keys allow "
                   "NAME.pub)? retrying",
                   agent->endpoint);
        else
            lb_log(agent, LABLOOP_LOG_WARNING, "the CURVE handshake with %s failed: is the server key right? retrying",
                   agent->endpoint);
    }
    if (agent->retry_at != 0 && now >= agent->retry_at) {
        agent->retry_at = 0;
        zmq_disconnect(agent->socket, agent->endpoint);
        zmq_connect(agent->socket, agent->endpoint);
    }
}

static void drain_wake_pipe(labloop_agent *agent) {
    char buffer[256];
    while (read(agent->wake[0], buffer, sizeof buffer) > 0) {
    }
}

void *lb_io_main(void *argument) {
    labloop_agent *agent = argument;
    pthread_mutex_lock(&agent->lock);
    agent->last_hello = NEVER;
    agent->last_heard = agent->last_beat = lb_monotonic_ms();
    pthread_mutex_unlock(&agent->lock);
    zmq_pollitem_t items[3] = {{agent->socket, 0, ZMQ_POLLIN, 0}, {NULL, agent->wake[0], ZMQ_POLLIN, 0},
                               {agent->monitor, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (agent->monitor != NULL) check_handshakes(agent, lb_monotonic_ms());
        pthread_mutex_lock(&agent->lock);
        int64_t now = lb_monotonic_ms();
        int done = agent->stopping && ((agent->running_count == 0 && agent->unacked_count == 0) ||
                                       now >= agent->stop_deadline);
        if (!done) maintain(agent, now);
        pthread_mutex_unlock(&agent->lock);
        if (done) break;
        if (zmq_poll(items, agent->monitor != NULL ? 3 : 2, 100) < 0) {
            if (zmq_errno() == EINTR) continue;
            lb_log(agent, LABLOOP_LOG_ERROR, "zmq_poll failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (items[1].revents & ZMQ_POLLIN) drain_wake_pipe(agent);
        if (items[0].revents & ZMQ_POLLIN) receive_all(agent);
    }
    pthread_mutex_lock(&agent->lock);
    if (agent->running_count > 0)
        lb_log(agent, LABLOOP_LOG_WARNING, "stopping with %zu experiments unreported: they will be marked for review",
               agent->running_count);
    if (agent->unacked_count > 0)
        lb_log(agent, LABLOOP_LOG_WARNING, "stopping with %zu unacknowledged results; they stay in %s for the next start",
               agent->unacked_count, agent->outbox_dir);
    if (agent->registered) {
        Labloop__V1__Disconnect goodbye = LABLOOP__V1__DISCONNECT__INIT;
        goodbye.reason = "agent stopping";
        Labloop__V1__Envelope body = LABLOOP__V1__ENVELOPE__INIT;
        body.body_case = LABLOOP__V1__ENVELOPE__BODY_DISCONNECT;
        body.disconnect = &goodbye;
        send_envelope(agent, &body);
        agent->registered = 0;
    }
    if (agent->monitor != NULL) {
        zmq_socket_monitor(agent->socket, NULL, 0);
        zmq_close(agent->monitor);
    }
    zmq_close(agent->socket);
    zmq_ctx_term(agent->context);
    agent->socket = agent->context = agent->monitor = NULL;
    agent->stopped = 1;
    pthread_cond_broadcast(&agent->jobs_ready);
    pthread_mutex_unlock(&agent->lock);
    return NULL;
}
