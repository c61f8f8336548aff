/*
 * A simulated instrument in C: the toy reactor of the Python example, on the LabLoop agent library.
 *
 *   sim-instrument --coordinator-file lab/coordinator.json --id c-reactor-1
 *
 * It runs up to --capacity experiments at once without threads: each job gets a finishing time,
 * and the loop reports the ones that are due. A real instrument would start its hardware where a
 * job is taken, and call labloop_agent_succeed or labloop_agent_fail when the hardware is done
 * (from any thread: the library heartbeats in the background meanwhile).
 */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "labloop/agent.h"

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int number) {
    (void)number;
    stop_requested = 1;
}

/* Yield in %: best at 80 °C, 15 min, catalyst A and 3 cycles (100 %). The same as the Python example. */
static double toy_reactor(double temperature, double minutes, const char *catalyst, double cycles) {
    double factor = strcmp(catalyst, "A") == 0 ? 1.0 : strcmp(catalyst, "B") == 0 ? 0.8 : strcmp(catalyst, "C") == 0 ? 0.6 : 0.5;
    double shape = exp(-pow((temperature - 80.0) / 25.0, 2) - pow(log(minutes / 15.0), 2) / 2.0);
    return 100.0 * shape * factor * (1.0 - 0.05 * fabs(cycles - 3.0));
}

static void finish(labloop_agent *agent, const labloop_job *job) {
    labloop_error err;
    double temperature, minutes, cycles = 3;
    const labloop_named_value *catalyst = labloop_job_parameter(job, "catalyst");
    int status;
    if (labloop_job_number(job, "temperature", &temperature, &err) != LABLOOP_OK ||
        labloop_job_number(job, "time", &minutes, &err) != LABLOOP_OK || minutes <= 0) {
        status = labloop_agent_fail(agent, job, "bad-parameters", "needs numeric temperature and a positive time", &err);
    } else if (labloop_agent_cancel_requested(agent, job)) {
        status = labloop_agent_fail(agent, job, "cancelled", "cancelled before completion", &err);
    } else {
        labloop_job_number(job, "cycles", &cycles, NULL);
        const char *name = catalyst != NULL && catalyst->kind == LABLOOP_VALUE_CATEGORY ? catalyst->category : "A";
        labloop_named_value yield = {.name = "yield", .kind = LABLOOP_VALUE_REAL,
                                     .real = toy_reactor(temperature, minutes, name, cycles)};
        status = labloop_agent_succeed(agent, job, &yield, 1, &err);
    }
    if (status != LABLOOP_OK) fprintf(stderr, "sim-instrument: cannot report %s: %s\n", job->experiment_id, err.message);
}

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void usage(FILE *to) {
    fputs("usage: sim-instrument (--coordinator-file PATH | --endpoint URL) [--id ID] [--capacity N]\n"
          "                      [--duration-ms MS] [--outbox DIR] [--key NAME.key [--server-key KEY]]\n"
          "                      [--log-level debug|info|warning|error]\n"
          "A simulated toy reactor (kind toy-reactor, operation react, measurement yield).\n"
          "--key defaults to $LABLOOP_KEY; without a key it connects without CURVE (labloop serve --insecure).\n",
          to);
}

typedef struct {
    const char *coordinator_file, *endpoint, *id, *outbox, *key_file, *server_key;
    unsigned capacity;
    long duration_ms;
    int log_level;
} options;

static int parse_options(int argc, char **argv, options *o) {
    static const struct option long_options[] = {
        {"coordinator-file", required_argument, NULL, 'f'}, {"endpoint", required_argument, NULL, 'e'},
        {"id", required_argument, NULL, 'i'},               {"capacity", required_argument, NULL, 'c'},
        {"duration-ms", required_argument, NULL, 'd'},      {"outbox", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'k'},              {"server-key", required_argument, NULL, 's'},
        {"log-level", required_argument, NULL, 'l'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const levels[] = {"debug", "info", "warning", "error"};
    *o = (options){.capacity = 1, .duration_ms = 200, .log_level = LABLOOP_LOG_INFO, .key_file = getenv("LABLOOP_KEY")};
    int option;
    while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        char *end = NULL;
        switch (option) {
        case 'f': o->coordinator_file = optarg; break;
        case 'e': o->endpoint = optarg; break;
        case 'i': o->id = optarg; break;
        case 'o': o->outbox = optarg; break;
        case 'k': o->key_file = optarg; break;
        case 's': o->server_key = optarg; break;
        case 'c': {
            long capacity = strtol(optarg, &end, 10);
            if (*end != '\0' || capacity < 1 || capacity > 1000) {
                fprintf(stderr, "sim-instrument: --capacity must be 1 to 1000, not '%s'\n", optarg);
                return 2;
            }
            o->capacity = (unsigned)capacity;
            break;
        }
        case 'd':
            o->duration_ms = strtol(optarg, &end, 10);
            if (*end != '\0' || o->duration_ms < 0) {
                fprintf(stderr, "sim-instrument: --duration-ms must be a whole number >= 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'l':
            o->log_level = -1;
            for (int i = 0; i < 4; i++)
                if (strcmp(optarg, levels[i]) == 0) o->log_level = i;
            if (o->log_level < 0) {
                fprintf(stderr, "sim-instrument: --log-level must be debug, info, warning or error\n");
                return 2;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || (o->coordinator_file == NULL) == (o->endpoint == NULL)) {
        fprintf(stderr, "sim-instrument: give exactly one of --coordinator-file and --endpoint\n");
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv) {
    /* Before any thread exists: a parent may start us with signals blocked (Swift's Foundation.Process
     * passes on its mask), and the library's I/O thread inherits the mask from here. */
    sigset_t stopping;
    sigemptyset(&stopping);
    sigaddset(&stopping, SIGINT);
    sigaddset(&stopping, SIGTERM);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    pthread_sigmask(SIG_UNBLOCK, &stopping, NULL);
    options o;
    int bad = parse_options(argc, argv, &o);
    if (bad) return bad;
    labloop_error err;
    labloop_endpoints endpoints;
    if (o.coordinator_file != NULL) {
        if (labloop_endpoints_load(o.coordinator_file, &endpoints, &err) != LABLOOP_OK) {
            fprintf(stderr, "sim-instrument: %s\n", err.message);
            return 2;
        }
        o.endpoint = endpoints.agents;
        if (o.key_file != NULL && o.server_key == NULL && endpoints.server_key[0] != '\0') o.server_key = endpoints.server_key;
    }
    char outbox[512];
    const char *id = o.id;
    labloop_key_file keys;
    if (id == NULL && o.key_file != NULL && labloop_key_file_load(o.key_file, &keys, &err) == LABLOOP_OK) id = keys.principal;
    snprintf(outbox, sizeof outbox, "outbox-%s", id != NULL ? id : "sim");

    static const char *const measurements[] = {"yield"};
    static const char *const catalysts[] = {"A", "B", "C"};
    const labloop_limit limits[] = {{.name = "temperature", .low = 20, .high = 120, .unit = "°C"},
                                    {.name = "time", .low = 1, .high = 60, .unit = "min"},
                                    {.name = "catalyst", .categories = catalysts, .category_count = 3},
                                    {.name = "cycles", .low = 1, .high = 5}};
    const labloop_operation react = {.name = "react", .measurements = measurements, .measurement_count = 1,
                                     .limits = limits, .limit_count = 4, .repeatable = 1};
    labloop_agent_config config = {.endpoint = o.endpoint, .instrument_id = o.id, .kind = "toy-reactor",
                                   .operations = &react, .operation_count = 1, .capacity = o.capacity,
                                   .outbox_dir = o.outbox != NULL ? o.outbox : outbox, .key_file = o.key_file,
                                   .server_key = o.server_key, .software = "labloop sim-instrument (C) 0.1",
                                   .log_level = o.log_level};
    labloop_agent *agent = NULL;
    if (labloop_agent_new(&config, &agent, &err) != LABLOOP_OK || labloop_agent_start(agent, &err) != LABLOOP_OK) {
        fprintf(stderr, "sim-instrument: %s (%s)\n", err.message, labloop_status_name(err.status));
        labloop_agent_free(agent);
        return 1;
    }
    pid_t parent = getppid();
    const char *die_with_parent = getenv("LABLOOP_DIE_WITH_PARENT"); /* as LabLoop's own child processes do */
    int watch_parent = die_with_parent != NULL && strcmp(die_with_parent, "1") == 0;

    labloop_job **jobs = calloc(o.capacity, sizeof *jobs);
    long long *due = calloc(o.capacity, sizeof *due);
    while (jobs != NULL && due != NULL && !stop_requested && !(watch_parent && getppid() != parent)) {
        int free_slot = -1;
        for (unsigned i = 0; i < o.capacity; i++) {
            if (jobs[i] != NULL && (due[i] <= monotonic_ms() || labloop_agent_cancel_requested(agent, jobs[i]))) {
                finish(agent, jobs[i]);
                labloop_job_free(jobs[i]);
                jobs[i] = NULL;
            }
            if (jobs[i] == NULL && free_slot < 0) free_slot = (int)i;
        }
        if (free_slot < 0) {
            nanosleep(&(struct timespec){.tv_nsec = 10 * 1000000L}, NULL);
            continue;
        }
        labloop_job *job = NULL;
        int got = labloop_agent_next_job(agent, 20, &job, &err);
        if (got < 0) break;
        if (got == 1) {
            jobs[free_slot] = job;
            due[free_slot] = monotonic_ms() + o.duration_ms;
        }
    }
    for (unsigned i = 0; jobs != NULL && i < o.capacity; i++) { /* stopping: report what is still running */
        if (jobs[i] == NULL) continue;
        labloop_agent_fail(agent, jobs[i], "cancelled", "the instrument is shutting down", NULL);
        labloop_job_free(jobs[i]);
    }
    free(jobs);
    free(due);
    int status = labloop_agent_stop(agent, 5000, &err);
    labloop_agent_free(agent);
    return status == LABLOOP_OK ? 0 : 1;
}
