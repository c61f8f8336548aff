/*
 * Tests of the LabLoop C agent library: key files, coordinator.json, the outbox, and the agent
 * against a fake coordinator (a CURVE ROUTER guarded by a default-deny ZAP handler, in process).
 * `make test` runs it under valgrind, so a leak or a memory error fails too.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "../src/internal.h"
#include "labloop/agent.h"

static int failures = 0;
static char scratch[256];

#define CHECK(condition, ...)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            failures++;                                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #condition);                            \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

static const char *path_in(const char *name) {
    static char path[4][512];
    static int next = 0;
    next = (next + 1) % 4;
    snprintf(path[next], sizeof path[next], "%s/%s", scratch, name);
    return path[next];
}

static void write_text(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    fputs(text, file);
    fclose(file);
    chmod(path, 0600);
}

static void write_key(const char *path, const char *principal, const char *public_key, const char *secret_key) {
    char text[512];
    snprintf(text, sizeof text, "# LabLoop secret key.\nprincipal = %s\nrole = agent\npublic-key = %s\n%s%s%s", principal,
             public_key, secret_key ? "secret-key = " : "", secret_key ? secret_key : "", secret_key ? "\n" : "");
    write_text(path, text);
}

static size_t count_files(const char *directory) {
    DIR *dir = opendir(directory);
    size_t count = 0;
    for (struct dirent *item; dir != NULL && (item = readdir(dir)) != NULL;)
        if (strstr(item->d_name, ".envelope") != NULL) count++;
    if (dir != NULL) closedir(dir);
    return count;
}

/* ---- Key files and endpoints ------------------------------------------------------------------ */

static void test_key_files(void) {
    char public_key[41], secret_key[41], other_public[41], other_secret[41];
    zmq_curve_keypair(public_key, secret_key);
    zmq_curve_keypair(other_public, other_secret);
    labloop_key_file keys;
    labloop_error err;
    write_key(path_in("r1.key"), "reactor-1", public_key, secret_key);
    CHECK(labloop_key_file_load(path_in("r1.key"), &keys, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(strcmp(keys.principal, "reactor-1") == 0 && strcmp(keys.role, "agent") == 0, "read %s/%s", keys.principal, keys.role);
    CHECK(strcmp(keys.secret_key, secret_key) == 0 && strcmp(keys.public_key, public_key) == 0, "keys differ");
    chmod(path_in("r1.key"), 0640);
    CHECK(labloop_key_file_load(path_in("r1.key"), &keys, &err) == LABLOOP_ERR_KEY_FILE &&
              strstr(err.message, "readable by others (mode 640): chmod 600") != NULL,
          "a secret key others may read: %s", err.message);

    char text[512];
    snprintf(text, sizeof text, "\n  # comment\nprincipal=lab\n role =model \npublic-key= %s\n", public_key);
    write_text(path_in("lab.pub"), text);
    chmod(path_in("lab.pub"), 0644);
    CHECK(labloop_key_file_load(path_in("lab.pub"), &keys, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(strcmp(keys.role, "model") == 0 && keys.secret_key[0] == '\0', "a .pub file, readable by anyone");

    struct {
        const char *text;
        const char *message;
    } bad[] = {
        {"principal = a\nrole = agent\ncolour = blue\n", "bad.key:3: unknown name 'colour'"},
        {"principal = a\nprincipal = b\n", "bad.key:2: 'principal' is given twice"},
        {"principal = a\nrole = admin\n", "bad.key:2: role must be one of agent, model, operator, observer"},
        {"principal = a\nrole = agent\npublic-key = short\n", "bad.key:3: public-key must be a 40-character Z85 key"},
        {"just words\n", "bad.key:1: expected 'name = value'"},
        {"principal = a\nrole = agent\n", "missing 'public-key = ...'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path_in("bad.key"), bad[i].text);
        CHECK(labloop_key_file_load(path_in("bad.key"), &keys, &err) == LABLOOP_ERR_KEY_FILE, "case %zu accepted", i);
        CHECK(strstr(err.message, bad[i].message) != NULL, "case %zu: '%s' lacks '%s'", i, err.message, bad[i].message);
    }
    write_key(path_in("mixed.key"), "a", public_key, other_secret);
    CHECK(labloop_key_file_load(path_in("mixed.key"), &keys, &err) == LABLOOP_ERR_KEY_FILE &&
              strstr(err.message, "does not belong to secret-key") != NULL,
          "a mismatched pair: %s", err.message);
    CHECK(labloop_key_file_load(path_in("absent.key"), &keys, &err) == LABLOOP_ERR_KEY_FILE &&
              strstr(err.message, "cannot read the key file") != NULL,
          "%s", err.message);

    char server[41];
    CHECK(labloop_server_key_load(public_key, server, &err) == LABLOOP_OK && strcmp(server, public_key) == 0, "z85");
    CHECK(labloop_server_key_load(path_in("lab.pub"), server, &err) == LABLOOP_OK && strcmp(server, public_key) == 0,
          ".pub: %s", err.message);
    CHECK(labloop_server_key_load("nonsense", server, &err) == LABLOOP_ERR_INVALID &&
              strstr(err.message, "neither a 40-character Z85 key nor a key file") != NULL,
          "%s", err.message);
}

static void test_endpoints(void) {
    labloop_endpoints endpoints;
    labloop_error err;
    char server_public[41], server_secret[41], text[1024];
    zmq_curve_keypair(server_public, server_secret);
    snprintf(text, sizeof text,
             "{\n  \"agents\" : \"tcp:\\/\\/127.0.0.1:7750\", \"catchUp\": \"tcp://127.0.0.1:7754\",\n"
             "  \"future\": {\"nested\": [1, 2.5e3, true, null, \"x\\\"y\"]}, \"control\": \"tcp://127.0.0.1:7752\",\n"
             "  \"events\": \"tcp://h\\u00e9:7753\", \"models\": \"tcp://127.0.0.1:7751\", \"serverKey\": \"%s\"}\n",
             server_public);
    write_text(path_in("coordinator.json"), text);
    CHECK(labloop_endpoints_load(path_in("coordinator.json"), &endpoints, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(strcmp(endpoints.agents, "tcp://127.0.0.1:7750") == 0, "escaped slashes: %s", endpoints.agents);
    CHECK(strcmp(endpoints.catch_up, "tcp://127.0.0.1:7754") == 0, "catchUp: %s", endpoints.catch_up);
    CHECK(strcmp(endpoints.events, "tcp://h\xc3\xa9:7753") == 0, "\\u escapes are UTF-8: %s", endpoints.events);
    CHECK(strcmp(endpoints.server_key, server_public) == 0, "serverKey: %s", endpoints.server_key);

    struct {
        const char *text;
        const char *message;
    } bad[] = {
        {"{\"agents\": \"a\", \"models\": \"m\", \"control\": \"c\", \"events\": \"e\"}", "member 'catchUp' is missing"},
        {"{\"agents\": 7}", "member 'agents' must be a string"},
        {"{\"agents\": \"a\"", "not valid JSON"},
        {"[1]", "expected a JSON object"},
        {"{\"agents\": \"a\", \"models\": \"m\", \"control\": \"c\", \"events\": \"e\", \"catchUp\": \"u\", "
         "\"serverKey\": \"abc\"}",
         "serverKey must be a 40-character Z85 key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path_in("coordinator.json"), bad[i].text);
        CHECK(labloop_endpoints_load(path_in("coordinator.json"), &endpoints, &err) == LABLOOP_ERR_ENDPOINTS,
              "case %zu accepted", i);
        CHECK(strstr(err.message, bad[i].message) != NULL, "case %zu: '%s' lacks '%s'", i, err.message, bad[i].message);
    }
    CHECK(labloop_endpoints_load(path_in("absent.json"), &endpoints, &err) == LABLOOP_ERR_ENDPOINTS &&
              strstr(err.message, "is `labloop serve --data DIR` running") != NULL,
          "%s", err.message);
}

static void test_outbox(void) {
    const char *directory = path_in("outbox-unit");
    labloop_error err;
    CHECK(lb_outbox_open(directory, &err) == LABLOOP_OK, "%s", err.message);
    Labloop__V1__ExperimentResult result = LABLOOP__V1__EXPERIMENT_RESULT__INIT;
    result.experiment_id = "e-1";
    Labloop__V1__Envelope envelope;
    char message_id[LB_UUID_LENGTH + 1];
    lb_envelope_init(&envelope, message_id, "r1", 1);
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_RESULT;
    envelope.result = &result;
    size_t length;
    uint8_t *frame = lb_envelope_pack(&envelope, &length);
    CHECK(lb_outbox_put(directory, message_id, frame, length, &err) == LABLOOP_OK, "%s", err.message);
    write_text(path_in("outbox-unit/junk.envelope"), "not protobuf \xff\xff");
    lb_outbox_entry *entries;
    size_t count, skipped;
    CHECK(lb_outbox_load(directory, &entries, &count, &skipped, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(count == 1 && skipped == 1, "%zu entries, %zu skipped", count, skipped);
    if (count == 1) {
        CHECK(strcmp(entries[0].message_id, message_id) == 0 && strcmp(entries[0].experiment_id, "e-1") == 0, "entry");
        CHECK(entries[0].length == length && memcmp(entries[0].frame, frame, length) == 0, "the same bytes come back");
    }
    lb_outbox_entries_free(entries, count);
    lb_outbox_remove(directory, message_id);
    CHECK(count_files(directory) == 1, "only the junk file is left");
    free(frame);
}

/* ---- A fake coordinator: a CURVE ROUTER with a ZAP handler ------------------------------------- */

typedef struct {
    void *context, *router, *zap;
    pthread_t zap_thread;
    atomic_int stop;     /* set by the test thread, read by the ZAP thread */
    atomic_int allowing; /* 0: refuse even the allowed key */
    atomic_int requests; /* ZAP requests answered */
    char allowed_key[41], principal[64], server_public[41], server_secret[41], endpoint[128];
    zmq_msg_t peer;
    char last_user_id[64];
} fake_coordinator;

static void *zap_main(void *argument) {
    fake_coordinator *fake = argument;
    while (!fake->stop) {
        zmq_pollitem_t item = {fake->zap, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 50) <= 0) continue;
        zmq_msg_t frames[7];
        int count = 0, more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            zmq_msg_recv(&part, fake->zap, 0);
            more = zmq_msg_more(&part);
            if (count < 7)
                frames[count++] = part;
            else
                zmq_msg_close(&part);
        }
        char client[41] = "";
        if (count == 7 && zmq_msg_size(&frames[6]) == 32) zmq_z85_encode(client, zmq_msg_data(&frames[6]), 32);
        int allowed = strcmp(client, fake->allowed_key) == 0 && fake->allowing;
        fake->requests++;
        zmq_send(fake->zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(fake->zap, zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]), ZMQ_SNDMORE);
        zmq_send(fake->zap, allowed ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send(fake->zap, allowed ? "OK" : "unknown key", allowed ? 2 : 11, ZMQ_SNDMORE);
        zmq_send(fake->zap, allowed ? fake->principal : "", allowed ? strlen(fake->principal) : 0, ZMQ_SNDMORE);
        zmq_send(fake->zap, "", 0, 0);
        for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
    }
    return NULL;
}

static void fake_start(fake_coordinator *fake, const char *allowed_key, const char *principal) {
    memset(fake, 0, sizeof *fake);
    strcpy(fake->allowed_key, allowed_key);
    strcpy(fake->principal, principal);
    fake->allowing = 1;
    zmq_curve_keypair(fake->server_public, fake->server_secret);
    fake->context = zmq_ctx_new();
    fake->zap = zmq_socket(fake->context, ZMQ_REP);
    zmq_bind(fake->zap, "inproc://zeromq.zap.01"); /* before the server socket binds */
    pthread_create(&fake->zap_thread, NULL, zap_main, fake);
    fake->router = zmq_socket(fake->context, ZMQ_ROUTER);
    int one = 1, linger = 0;
    zmq_setsockopt(fake->router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(fake->router, ZMQ_CURVE_SECRETKEY, fake->server_secret, 41);
    zmq_setsockopt(fake->router, ZMQ_ZAP_DOMAIN, "agents", 6);
    zmq_setsockopt(fake->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(fake->router, "tcp://127.0.0.1:*");
    size_t size = sizeof fake->endpoint;
    zmq_getsockopt(fake->router, ZMQ_LAST_ENDPOINT, fake->endpoint, &size);
    zmq_msg_init(&fake->peer);
}

static void fake_stop(fake_coordinator *fake) {
    fake->stop = 1;
    pthread_join(fake->zap_thread, NULL);
    zmq_msg_close(&fake->peer);
    zmq_close(fake->router);
    zmq_close(fake->zap);
    zmq_ctx_term(fake->context);
}

/* The next envelope with body `want` (others, such as heartbeats, are skipped); NULL on timeout. */
static Labloop__V1__Envelope *fake_receive(fake_coordinator *fake, Labloop__V1__Envelope__BodyCase want, int timeout_ms,
                                           uint8_t **raw, size_t *raw_length) {
    long long deadline = lb_monotonic_ms() + timeout_ms;
    while (lb_monotonic_ms() < deadline) {
        zmq_pollitem_t item = {fake->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, (long)(deadline - lb_monotonic_ms())) <= 0) continue;
        zmq_msg_t body;
        zmq_msg_close(&fake->peer);
        zmq_msg_init(&fake->peer);
        zmq_msg_recv(&fake->peer, fake->router, 0);
        zmq_msg_init(&body);
        zmq_msg_recv(&body, fake->router, 0);
        const char *user = zmq_msg_gets(&body, "User-Id");
        snprintf(fake->last_user_id, sizeof fake->last_user_id, "%s", user ? user : "");
        Labloop__V1__Envelope *envelope = labloop__v1__envelope__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
        if (envelope != NULL && envelope->body_case == want) {
            if (raw != NULL) {
                *raw_length = zmq_msg_size(&body);
                *raw = malloc(*raw_length);
                memcpy(*raw, zmq_msg_data(&body), *raw_length);
            }
            zmq_msg_close(&body);
            return envelope;
        }
        if (envelope != NULL) labloop__v1__envelope__free_unpacked(envelope, NULL);
        zmq_msg_close(&body);
    }
    return NULL;
}

static void fake_send(fake_coordinator *fake, Labloop__V1__Envelope *envelope, const char *correlation_id) {
    char message_id[LB_UUID_LENGTH + 1];
    lb_envelope_header(envelope, message_id, "coordinator", 1);
    envelope->correlation_id = (char *)(correlation_id ? correlation_id : "");
    size_t length;
    uint8_t *frame = lb_envelope_pack(envelope, &length);
    zmq_msg_t peer;
    zmq_msg_init(&peer);
    zmq_msg_copy(&peer, &fake->peer);
    zmq_msg_send(&peer, fake->router, ZMQ_SNDMORE);
    zmq_send(fake->router, frame, length, 0);
    free(frame);
}

static void send_welcome(fake_coordinator *fake, const char *hello_id, char **cancel, size_t cancel_count) {
    Labloop__V1__AgentWelcome welcome = LABLOOP__V1__AGENT_WELCOME__INIT;
    welcome.session_id = "s1";
    welcome.heartbeat_interval_ms = 1000;
    welcome.liveness_timeout_ms = 5000;
    welcome.n_cancel = cancel_count;
    welcome.cancel = cancel;
    Labloop__V1__Envelope envelope = LABLOOP__V1__ENVELOPE__INIT;
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_AGENT_WELCOME;
    envelope.agent_welcome = &welcome;
    fake_send(fake, &envelope, hello_id);
}

static void send_assignment(fake_coordinator *fake, const char *experiment_id, const char *operation) {
    Labloop__V1__Value real = LABLOOP__V1__VALUE__INIT, integer = LABLOOP__V1__VALUE__INIT, category = LABLOOP__V1__VALUE__INIT;
    real.kind_case = LABLOOP__V1__VALUE__KIND_REAL;
    real.real = 80.5;
    integer.kind_case = LABLOOP__V1__VALUE__KIND_INTEGER;
    integer.integer = 3;
    category.kind_case = LABLOOP__V1__VALUE__KIND_CATEGORY;
    category.category = "A";
    Labloop__V1__NamedValue named[3] = {LABLOOP__V1__NAMED_VALUE__INIT, LABLOOP__V1__NAMED_VALUE__INIT,
                                        LABLOOP__V1__NAMED_VALUE__INIT};
    named[0].name = "temperature";
    named[0].value = &real;
    named[1].name = "cycles";
    named[1].value = &integer;
    named[2].name = "catalyst";
    named[2].value = &category;
    Labloop__V1__NamedValue *list[3] = {&named[0], &named[1], &named[2]};
    char *measurements[1] = {"yield"};
    Labloop__V1__Assignment assignment = LABLOOP__V1__ASSIGNMENT__INIT;
    assignment.experiment_id = (char *)experiment_id;
    assignment.attempt = 1;
    assignment.campaign_id = "c1";
    assignment.operation = (char *)operation;
    assignment.n_parameters = 3;
    assignment.parameters = list;
    assignment.n_measurements = 1;
    assignment.measurements = measurements;
    Labloop__V1__Envelope envelope = LABLOOP__V1__ENVELOPE__INIT;
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT;
    envelope.assignment = &assignment;
    fake_send(fake, &envelope, NULL);
}

static void send_ack(fake_coordinator *fake, const char *message_id) {
    Labloop__V1__ResultAck ack = LABLOOP__V1__RESULT_ACK__INIT;
    ack.status = LABLOOP__V1__ACK_STATUS__ACK_STATUS_STORED;
    Labloop__V1__Envelope envelope = LABLOOP__V1__ENVELOPE__INIT;
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_RESULT_ACK;
    envelope.result_ack = &ack;
    fake_send(fake, &envelope, message_id);
}

static int wait_for_files(const char *directory, size_t expected) {
    for (int i = 0; i < 250 && count_files(directory) != expected; i++) usleep(20000);
    return count_files(directory) == expected;
}

/* ---- The agent ------------------------------------------------------------------------------- */

static const char *const yield_name[] = {"yield"};
static const labloop_operation react = {.name = "react", .measurements = yield_name, .measurement_count = 1, .repeatable = 1};

static void quiet_log(void *user, int level, const char *message) {
    (void)user;
    if (level >= LABLOOP_LOG_WARNING && getenv("TEST_VERBOSE") != NULL) fprintf(stderr, "agent: %s\n", message);
}

static labloop_agent_config config_for(const char *endpoint, const char *key_file, const char *server_key,
                                       const char *outbox) {
    return (labloop_agent_config){.endpoint = endpoint, .kind = "test", .operations = &react, .operation_count = 1,
                                  .capacity = 1, .outbox_dir = outbox, .key_file = key_file, .server_key = server_key,
                                  .resend_interval_ms = 300, .max_resend_interval_ms = 300, .log = quiet_log};
}

static void test_configuration_errors(void) {
    char public_key[41], secret_key[41];
    zmq_curve_keypair(public_key, secret_key);
    write_key(path_in("agent.key"), "reactor-1", public_key, secret_key);
    labloop_agent *agent = NULL;
    labloop_error err;
    labloop_agent_config config = config_for("tcp://127.0.0.1:1", path_in("agent.key"), public_key, path_in("outbox-x"));
    config.instrument_id = "reactor-2";
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_ERR_INVALID &&
              strstr(err.message, "differs from the key file's principal 'reactor-1'") != NULL,
          "%s", err.message);
    config = config_for("tcp://127.0.0.1:1", path_in("agent.key"), NULL, path_in("outbox-x"));
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_ERR_INVALID &&
              strstr(err.message, "CURVE needs the coordinator's public key") != NULL,
          "%s", err.message);
    config = config_for("tcp://127.0.0.1:1", NULL, NULL, path_in("outbox-x"));
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_ERR_INVALID && strstr(err.message, "instrument_id is required"),
          "%s", err.message);
    config.instrument_id = "r";
    config.capacity = 0;
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_ERR_INVALID, "capacity 0 accepted");
    config.capacity = 1;
    config.endpoint = "nonsense://here";
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(labloop_agent_start(agent, &err) == LABLOOP_ERR_ZMQ && strstr(err.message, "cannot connect to nonsense://here"),
          "%s", err.message);
    labloop_agent_free(agent);
    CHECK(agent != NULL && labloop_agent_new(NULL, &agent, &err) == LABLOOP_ERR_INVALID && agent == NULL, "NULL config");
}

/* A result left in the outbox by an earlier run; returns its message id in out. */
static void leave_result_in_outbox(const char *outbox, const char *experiment_id, char out[LB_UUID_LENGTH + 1]) {
    labloop_error err;
    lb_outbox_open(outbox, &err);
    Labloop__V1__ExperimentResult result = LABLOOP__V1__EXPERIMENT_RESULT__INIT;
    result.experiment_id = (char *)experiment_id;
    result.attempt = 1;
    result.outcome = LABLOOP__V1__OUTCOME__OUTCOME_SUCCEEDED;
    Labloop__V1__Envelope envelope;
    lb_envelope_init(&envelope, out, "reactor-1", 1);
    envelope.body_case = LABLOOP__V1__ENVELOPE__BODY_RESULT;
    envelope.result = &result;
    size_t length;
    uint8_t *frame = lb_envelope_pack(&envelope, &length);
    lb_outbox_put(outbox, out, frame, length, &err);
    free(frame);
}

static void test_agent_over_curve(void) {
    char public_key[41], secret_key[41];
    zmq_curve_keypair(public_key, secret_key);
    write_key(path_in("agent.key"), "reactor-1", public_key, secret_key);
    fake_coordinator fake;
    fake_start(&fake, public_key, "reactor-1");
    const char *outbox = path_in("outbox-agent");
    char earlier[LB_UUID_LENGTH + 1];
    leave_result_in_outbox(outbox, "e-9", earlier);

    labloop_agent *agent = NULL;
    labloop_error err;
    labloop_agent_config config = config_for(fake.endpoint, path_in("agent.key"), fake.server_public, outbox);
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(labloop_agent_start(agent, &err) == LABLOOP_OK, "%s", err.message);

    /* Registration over CURVE, as the key file's principal; the outbox result is in flight and resent. */
    Labloop__V1__Envelope *hello = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_AGENT_HELLO, 5000, NULL, NULL);
    CHECK(hello != NULL, "no hello over CURVE");
    if (hello == NULL) goto done;
    CHECK(strcmp(fake.last_user_id, "reactor-1") == 0, "User-Id %s", fake.last_user_id);
    CHECK(strcmp(hello->sender, "reactor-1") == 0 && strcmp(hello->agent_hello->instrument_id, "reactor-1") == 0,
          "sender %s", hello->sender);
    CHECK(hello->agent_hello->n_in_flight == 1 && strcmp(hello->agent_hello->in_flight[0], "e-9") == 0, "in_flight");
    CHECK(hello->agent_hello->n_operations == 1 && hello->agent_hello->operations[0]->repeatable, "operations");
    send_welcome(&fake, hello->message_id, NULL, 0);
    labloop__v1__envelope__free_unpacked(hello, NULL);
    Labloop__V1__Envelope *resent = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_RESULT, 3000, NULL, NULL);
    CHECK(resent != NULL && strcmp(resent->message_id, earlier) == 0, "the outbox result is resent after the welcome");
    if (resent != NULL) labloop__v1__envelope__free_unpacked(resent, NULL);
    send_ack(&fake, earlier);
    CHECK(wait_for_files(outbox, 0), "an acknowledged result leaves the outbox");

    /* An assignment: accepted, handed over with its parameters, reported, resent until acknowledged. */
    send_assignment(&fake, "e-1", "react");
    Labloop__V1__Envelope *accepted = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_ACCEPTED, 3000, NULL, NULL);
    CHECK(accepted != NULL, "no acceptance");
    if (accepted != NULL) labloop__v1__envelope__free_unpacked(accepted, NULL);
    labloop_job *job = NULL;
    CHECK(labloop_agent_next_job(agent, 3000, &job, &err) == 1, "no job");
    if (job == NULL) goto done;
    double temperature = 0, cycles = 0;
    CHECK(labloop_job_number(job, "temperature", &temperature, &err) == LABLOOP_OK && temperature == 80.5, "real");
    CHECK(labloop_job_number(job, "cycles", &cycles, &err) == LABLOOP_OK && cycles == 3, "integer");
    CHECK(labloop_job_number(job, "catalyst", &cycles, &err) == LABLOOP_ERR_INVALID, "a category is not a number");
    CHECK(strcmp(labloop_job_parameter(job, "catalyst")->category, "A") == 0, "category");
    send_assignment(&fake, "e-1", "react");
    accepted = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_ACCEPTED, 3000, NULL, NULL);
    CHECK(accepted != NULL, "a repeated assignment is accepted again");
    if (accepted != NULL) labloop__v1__envelope__free_unpacked(accepted, NULL);
    send_assignment(&fake, "e-2", "react");
    Labloop__V1__Envelope *declined = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_DECLINED, 3000, NULL, NULL);
    CHECK(declined != NULL && strcmp(declined->assignment_declined->reason, "at capacity") == 0, "at capacity");
    if (declined != NULL) labloop__v1__envelope__free_unpacked(declined, NULL);
    labloop_job *none = NULL;
    CHECK(labloop_agent_next_job(agent, 200, &none, &err) == 0 && none == NULL, "never run twice");

    labloop_named_value measured[2] = {{.name = "yield", .kind = LABLOOP_VALUE_REAL, .real = 42.5},
                                       {.name = "count", .kind = LABLOOP_VALUE_INTEGER, .integer = 7}};
    CHECK(labloop_agent_succeed(agent, job, measured, 2, &err) == LABLOOP_OK, "%s", err.message);
    CHECK(count_files(outbox) == 1, "durable before the first send");
    CHECK(labloop_agent_succeed(agent, job, measured, 2, &err) == LABLOOP_ERR_STATE, "reported twice");
    uint8_t *first = NULL, *second = NULL;
    size_t first_length = 0, second_length = 0;
    Labloop__V1__Envelope *result = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_RESULT, 3000, &first, &first_length);
    CHECK(result != NULL, "no result");
    if (result != NULL) {
        Labloop__V1__ExperimentResult *r = result->result;
        CHECK(strcmp(r->experiment_id, "e-1") == 0 && r->outcome == LABLOOP__V1__OUTCOME__OUTCOME_SUCCEEDED, "result");
        CHECK(r->n_measurements == 2 && r->measurements[0]->value->real == 42.5 &&
                  r->measurements[1]->value->kind_case == LABLOOP__V1__VALUE__KIND_INTEGER,
              "measurements");
        Labloop__V1__Envelope *again = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_RESULT, 3000, &second, &second_length);
        CHECK(again != NULL && first_length == second_length && memcmp(first, second, first_length) == 0,
              "an unacknowledged result is resent as the same bytes");
        if (again != NULL) labloop__v1__envelope__free_unpacked(again, NULL);
        CHECK(labloop_agent_unacknowledged(agent) == 1, "one result waits");
        send_ack(&fake, result->message_id);
        CHECK(wait_for_files(outbox, 0), "acknowledged");
        labloop__v1__envelope__free_unpacked(result, NULL);
    }
    free(first);
    free(second);
    labloop_job_free(job);

    send_assignment(&fake, "e-3", "weigh");
    declined = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_ASSIGNMENT_DECLINED, 3000, NULL, NULL);
    CHECK(declined != NULL && strstr(declined->assignment_declined->reason, "not offered") != NULL, "unknown operation");
    if (declined != NULL) labloop__v1__envelope__free_unpacked(declined, NULL);

    /* NOT_REGISTERED: hello again. Then stop: disconnect. */
    Labloop__V1__ErrorReply refusal = LABLOOP__V1__ERROR_REPLY__INIT;
    refusal.code = LABLOOP__V1__ERROR_CODE__ERROR_CODE_NOT_REGISTERED;
    refusal.reason = "who are you?";
    Labloop__V1__Envelope error = LABLOOP__V1__ENVELOPE__INIT;
    error.body_case = LABLOOP__V1__ENVELOPE__BODY_ERROR;
    error.error = &refusal;
    fake_send(&fake, &error, NULL);
    hello = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_AGENT_HELLO, 3000, NULL, NULL);
    CHECK(hello != NULL && labloop_agent_registered(agent) == 0, "hello again after NOT_REGISTERED");
    if (hello != NULL) {
        send_welcome(&fake, hello->message_id, NULL, 0);
        labloop__v1__envelope__free_unpacked(hello, NULL);
    }
    for (int i = 0; i < 100 && !labloop_agent_registered(agent); i++) usleep(20000);
    CHECK(labloop_agent_stop(agent, 1000, &err) == LABLOOP_OK, "%s", err.message);
    Labloop__V1__Envelope *goodbye = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_DISCONNECT, 3000, NULL, NULL);
    CHECK(goodbye != NULL, "no disconnect on stop");
    if (goodbye != NULL) labloop__v1__envelope__free_unpacked(goodbye, NULL);
    CHECK(labloop_agent_next_job(agent, 0, &job, &err) == LABLOOP_ERR_STATE, "no jobs after stop");
done:
    labloop_agent_free(agent);
    fake_stop(&fake);
}

static void test_wrong_server_key_gets_nowhere(void) {
    char public_key[41], secret_key[41], wrong[41], wrong_secret[41];
    zmq_curve_keypair(public_key, secret_key);
    zmq_curve_keypair(wrong, wrong_secret);
    write_key(path_in("agent.key"), "reactor-1", public_key, secret_key);
    fake_coordinator fake;
    fake_start(&fake, public_key, "reactor-1");
    labloop_agent *agent = NULL;
    labloop_error err;
    labloop_agent_config config = config_for(fake.endpoint, path_in("agent.key"), wrong, path_in("outbox-wrong"));
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_OK && labloop_agent_start(agent, &err) == LABLOOP_OK, "%s",
          err.message);
    Labloop__V1__Envelope *hello = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_AGENT_HELLO, 1000, NULL, NULL);
    CHECK(hello == NULL, "a hello got through with the wrong server key");
    if (hello != NULL) labloop__v1__envelope__free_unpacked(hello, NULL);
    labloop_agent_free(agent);
    fake_stop(&fake);
}

static void test_refused_key_is_retried(void) {
    char public_key[41], secret_key[41];
    zmq_curve_keypair(public_key, secret_key);
    write_key(path_in("late.key"), "late-1", public_key, secret_key);
    fake_coordinator fake;
    fake_start(&fake, public_key, "late-1");
    fake.allowing = 0; /* the key is not allowed yet */
    labloop_agent *agent = NULL;
    labloop_error err;
    labloop_agent_config config = config_for(fake.endpoint, path_in("late.key"), fake.server_public, path_in("outbox-late"));
    CHECK(labloop_agent_new(&config, &agent, &err) == LABLOOP_OK && labloop_agent_start(agent, &err) == LABLOOP_OK, "%s",
          err.message);
    for (int i = 0; i < 250 && fake.requests == 0; i++) usleep(20000);
    CHECK(fake.requests > 0, "no handshake at all");
    fake.allowing = 1; /* allowed now: the agent must try again by itself */
    Labloop__V1__Envelope *hello = fake_receive(&fake, LABLOOP__V1__ENVELOPE__BODY_AGENT_HELLO, 6000, NULL, NULL);
    CHECK(hello != NULL && fake.requests >= 2, "no hello after the key was allowed (%d handshakes)", (int)fake.requests);
    if (hello != NULL) labloop__v1__envelope__free_unpacked(hello, NULL);
    labloop_agent_free(agent);
    fake_stop(&fake);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "/tmp/labloop-c-test-XXXXXX");
    if (mkdtemp(scratch) == NULL) return 2;
    test_key_files();
    test_endpoints();
    test_outbox();
    test_configuration_errors();
    test_agent_over_curve();
    test_wrong_server_key_gets_nowhere();
    test_refused_key_is_retried();
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", scratch);
    if (failures > 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("C agent library tests passed\n");
    return 0;
}
