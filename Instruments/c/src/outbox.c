/* The outbox: one file per unacknowledged result, <message id>.envelope, fsynced before the first send. */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUFFIX ".envelope"

/* dir/<letters, digits and '-' of message_id>.envelope[extra] */
static int file_path(char *out, size_t size, const char *directory, const char *message_id, const char *extra) {
    char safe[256];
    size_t used = 0;
    for (const char *c = message_id; *c && used + 1 < sizeof safe; c++)
        if (isalnum((unsigned char)*c) || *c == '-') safe[used++] = *c;
    safe[used] = '\0';
    if (used == 0) return -1;
    int written = snprintf(out, size, "%s/%s" SUFFIX "%s", directory, safe, extra);
    return written < 0 || (size_t)written >= size ? -1 : 0;
}

static int sync_directory(const char *directory) {
    int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int status = fsync(fd);
    close(fd);
    return status;
}

int lb_outbox_open(const char *directory, labloop_error *err) {
    if (mkdir(directory, 0700) != 0 && errno != EEXIST)
        return lb_error(err, LABLOOP_ERR_IO, errno, "cannot create the outbox directory %s: %s", directory,
                        strerror(errno));
    struct stat info;
    if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode))
        return lb_error(err, LABLOOP_ERR_IO, errno, "the outbox %s is not a directory", directory);
    return LABLOOP_OK;
}

int lb_outbox_put(const char *directory, const char *message_id, const uint8_t *frame, size_t length,
                  labloop_error *err) {
    char path[PATH_MAX], temporary[PATH_MAX];
    if (file_path(path, sizeof path, directory, message_id, "") != 0 ||
        file_path(temporary, sizeof temporary, directory, message_id, ".tmp") != 0)
        return lb_error(err, LABLOOP_ERR_INVALID, 0, "cannot name an outbox file for message %s in %s", message_id,
                        directory);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return lb_error(err, LABLOOP_ERR_IO, errno, "cannot write %s: %s", temporary, strerror(errno));
    size_t done = 0;
    while (done < length) {
        ssize_t wrote = write(fd, frame + done, length - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) {
            int saved = errno;
            close(fd);
            unlink(temporary);
            return lb_error(err, LABLOOP_ERR_IO, saved, "cannot write %s: %s", temporary, strerror(saved));
        }
        done += (size_t)wrote;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int saved = errno;
        unlink(temporary);
        return lb_error(err, LABLOOP_ERR_IO, saved, "cannot sync %s: %s", temporary, strerror(saved));
    }
    if (rename(temporary, path) != 0 || sync_directory(directory) != 0) {
        int saved = errno;
        unlink(temporary);
        return lb_error(err, LABLOOP_ERR_IO, saved, "cannot move %s into place: %s", path, strerror(saved));
    }
    return LABLOOP_OK;
}

void lb_outbox_remove(const char *directory, const char *message_id) {
    char path[PATH_MAX];
    if (file_path(path, sizeof path, directory, message_id, "") == 0) unlink(path);
}

/* Reads a whole file into a malloc'd buffer; NULL on failure or when larger than the message limit. */
static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    uint8_t *buffer = malloc(LB_MAX_MESSAGE_BYTES + 1);
    size_t got = buffer != NULL ? fread(buffer, 1, LB_MAX_MESSAGE_BYTES + 1, file) : 0;
    int failed = buffer == NULL || ferror(file) || got == 0 || got > LB_MAX_MESSAGE_BYTES;
    fclose(file);
    if (failed) {
        free(buffer);
        return NULL;
    }
    uint8_t *fitted = realloc(buffer, got);
    *length = got;
    return fitted != NULL ? fitted : buffer;
}

static int names_an_envelope(const char *name) {
    size_t length = strlen(name), suffix = strlen(SUFFIX);
    return length > suffix && strcmp(name + length - suffix, SUFFIX) == 0;
}

static int compare_entries(const void *a, const void *b) {
    return strcmp(((const lb_outbox_entry *)a)->message_id, ((const lb_outbox_entry *)b)->message_id);
}

int lb_outbox_load(const char *directory, lb_outbox_entry **entries, size_t *count, size_t *skipped,
                   labloop_error *err) {
    *entries = NULL;
    *count = 0;
    *skipped = 0;
    DIR *dir = opendir(directory);
    if (dir == NULL) return lb_error(err, LABLOOP_ERR_IO, errno, "cannot list the outbox %s: %s", directory, strerror(errno));
    size_t capacity = 0;
    int status = LABLOOP_OK;
    struct dirent *item;
    while (status == LABLOOP_OK && (item = readdir(dir)) != NULL) {
        if (!names_an_envelope(item->d_name)) continue;
        char path[PATH_MAX];
        size_t length = 0;
        if (snprintf(path, sizeof path, "%s/%s", directory, item->d_name) >= (int)sizeof path) {
            (*skipped)++;
            continue;
        }
        uint8_t *frame = read_file(path, &length);
        Labloop__V1__Envelope *envelope = frame != NULL ? labloop__v1__envelope__unpack(NULL, length, frame) : NULL;
        if (envelope == NULL || envelope->body_case != LABLOOP__V1__ENVELOPE__BODY_RESULT || envelope->message_id == NULL ||
            envelope->message_id[0] == '\0') {
            (*skipped)++;
            if (envelope != NULL) labloop__v1__envelope__free_unpacked(envelope, NULL);
            free(frame);
            continue;
        }
        if (*count == capacity) {
            size_t grown = capacity == 0 ? 8 : capacity * 2;
            lb_outbox_entry *more = realloc(*entries, grown * sizeof **entries);
            if (more == NULL) {
                status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory loading the outbox %s", directory);
            } else {
                *entries = more;
                capacity = grown;
            }
        }
        if (status == LABLOOP_OK) {
            lb_outbox_entry *entry = &(*entries)[*count];
            entry->message_id = strdup(envelope->message_id);
            entry->experiment_id = strdup(envelope->result->experiment_id);
            entry->frame = frame;
            entry->length = length;
            frame = NULL;
            (*count)++;
            if (entry->message_id == NULL || entry->experiment_id == NULL)
                status = lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory loading the outbox %s", directory);
        }
        labloop__v1__envelope__free_unpacked(envelope, NULL);
        free(frame);
    }
    closedir(dir);
    if (status != LABLOOP_OK) {
        lb_outbox_entries_free(*entries, *count);
        *entries = NULL;
        *count = 0;
        return status;
    }
    if (*count > 1) qsort(*entries, *count, sizeof **entries, compare_entries);
    return LABLOOP_OK;
}

void lb_outbox_entries_free(lb_outbox_entry *entries, size_t count) {
    for (size_t i = 0; i < count; i++) {
        free(entries[i].message_id);
        free(entries[i].experiment_id);
        free(entries[i].frame);
    }
    free(entries);
}
