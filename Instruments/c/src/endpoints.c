/* Reading coordinator.json: a flat JSON object whose string members name the endpoints. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENDPOINTS_FILE_LIMIT 65536
#define MAX_DEPTH 32

typedef struct {
    const char *at;
    const char *end;
} cursor;

static void skip_space(cursor *c) {
    while (c->at < c->end && isspace((unsigned char)*c->at)) c->at++;
}

static int hex_value(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

/* Appends one character to out (if it fits); returns 0, or -1 when out is full. */
static int put(char *out, size_t size, size_t *used, char character) {
    if (out == NULL) return 0;
    if (*used + 1 >= size) return -1;
    out[(*used)++] = character;
    out[*used] = '\0';
    return 0;
}

/* Parses a JSON string at c into out (UTF-8). out may be NULL to skip. Returns 0 or -1 (malformed or too long). */
static int parse_string(cursor *c, char *out, size_t size) {
    size_t used = 0;
    if (out != NULL && size > 0) out[0] = '\0';
    if (c->at >= c->end || *c->at != '"') return -1;
    c->at++;
    while (c->at < c->end && *c->at != '"') {
        char character = *c->at++;
        if ((unsigned char)character < 0x20) return -1;
        if (character != '\\') {
            if (put(out, size, &used, character) != 0) return -1;
            continue;
        }
        if (c->at >= c->end) return -1;
        char escape = *c->at++;
        const char *simple = strchr("\"\\/bfnrt", escape);
        if (simple != NULL && escape != '\0') {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            if (put(out, size, &used, decoded[simple - "\"\\/bfnrt"]) != 0) return -1;
            continue;
        }
        if (escape != 'u' || c->end - c->at < 4) return -1;
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = hex_value(*c->at++);
            if (digit < 0) return -1;
            code = code * 16 + digit;
        }
        if (code >= 0xD800 && code <= 0xDFFF) return -1; /* surrogate pairs never occur in endpoints */
        if (code < 0x80) {
            if (put(out, size, &used, (char)code) != 0) return -1;
        } else if (code < 0x800) {
            if (put(out, size, &used, (char)(0xC0 | code >> 6)) || put(out, size, &used, (char)(0x80 | (code & 0x3F))))
                return -1;
        } else if (put(out, size, &used, (char)(0xE0 | code >> 12)) ||
                   put(out, size, &used, (char)(0x80 | ((code >> 6) & 0x3F))) ||
                   put(out, size, &used, (char)(0x80 | (code & 0x3F)))) {
            return -1;
        }
    }
    if (c->at >= c->end) return -1;
    c->at++;
    return 0;
}

/* Skips any JSON value (members a later coordinator may add). */
static int skip_value(cursor *c, int depth) {
    skip_space(c);
    if (c->at >= c->end || depth > MAX_DEPTH) return -1;
    char first = *c->at;
    if (first == '"') return parse_string(c, NULL, 0);
    if (first == '{' || first == '[') {
        char close = first == '{' ? '}' : ']';
        c->at++;
        skip_space(c);
        if (c->at < c->end && *c->at == close) {
            c->at++;
            return 0;
        }
        for (;;) {
            if (first == '{') {
                skip_space(c);
                if (parse_string(c, NULL, 0) != 0) return -1;
                skip_space(c);
                if (c->at >= c->end || *c->at++ != ':') return -1;
            }
            if (skip_value(c, depth + 1) != 0) return -1;
            skip_space(c);
            if (c->at >= c->end) return -1;
            char next = *c->at++;
            if (next == close) return 0;
            if (next != ',') return -1;
        }
    }
    const char *start = c->at; /* a number, true, false or null */
    while (c->at < c->end && (isalnum((unsigned char)*c->at) || strchr("+-.", *c->at) != NULL)) c->at++;
    return c->at > start ? 0 : -1;
}

static char *member_slot(labloop_endpoints *out, const char *name, size_t *size) {
    struct {
        const char *name;
        char *slot;
        size_t size;
    } members[] = {{"agents", out->agents, sizeof out->agents},       {"models", out->models, sizeof out->models},
                   {"control", out->control, sizeof out->control},    {"events", out->events, sizeof out->events},
                   {"catchUp", out->catch_up, sizeof out->catch_up}, {"serverKey", out->server_key, sizeof out->server_key}};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (strcmp(name, members[i].name) == 0) {
            *size = members[i].size;
            return members[i].slot;
        }
    return NULL;
}

static int parse_object(cursor *c, labloop_endpoints *out, const char *path, labloop_error *err) {
    skip_space(c);
    if (c->at >= c->end || *c->at++ != '{')
        return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: expected a JSON object with the coordinator's endpoints", path);
    skip_space(c);
    if (c->at < c->end && *c->at == '}') {
        c->at++;
        return LABLOOP_OK;
    }
    for (;;) {
        char name[256];
        skip_space(c);
        if (parse_string(c, name, sizeof name) != 0) name[0] = '\0';
        skip_space(c);
        if (c->at >= c->end || *c->at++ != ':') return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: not valid JSON", path);
        skip_space(c);
        size_t size = 0;
        char *slot = member_slot(out, name, &size);
        if (slot != NULL) {
            if (c->at >= c->end || *c->at != '"' || parse_string(c, slot, size) != 0)
                return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: member '%s' must be a string of at most %zu bytes",
                                path, name, size - 1);
        } else if (skip_value(c, 0) != 0) {
            return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: not valid JSON", path);
        }
        skip_space(c);
        if (c->at >= c->end) return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: not valid JSON", path);
        char next = *c->at++;
        if (next == '}') return LABLOOP_OK;
        if (next != ',') return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: not valid JSON", path);
    }
}

int labloop_endpoints_load(const char *path, labloop_endpoints *out, labloop_error *err) {
    if (path == NULL || out == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "endpoints path and output are required");
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return lb_error(err, LABLOOP_ERR_ENDPOINTS, errno,
                        "cannot read the endpoints file %s: %s (is `labloop serve --data DIR` running, and is this "
                        "DIR/coordinator.json?)",
                        path, strerror(errno));
    char *text = malloc(ENDPOINTS_FILE_LIMIT + 1);
    if (text == NULL) {
        fclose(file);
        return lb_error(err, LABLOOP_ERR_NO_MEMORY, ENOMEM, "out of memory reading %s", path);
    }
    size_t length = fread(text, 1, ENDPOINTS_FILE_LIMIT + 1, file);
    fclose(file);
    int status = LABLOOP_OK;
    if (length > ENDPOINTS_FILE_LIMIT) {
        status = lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: larger than %d bytes", path, ENDPOINTS_FILE_LIMIT);
    } else {
        cursor c = {text, text + length};
        status = parse_object(&c, out, path, err);
        skip_space(&c);
        if (status == LABLOOP_OK && c.at != c.end)
            status = lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: not valid JSON (text after the object)", path);
    }
    free(text);
    if (status != LABLOOP_OK) return status;
    const char *required[5] = {out->agents, out->models, out->control, out->events, out->catch_up};
    const char *names[5] = {"agents", "models", "control", "events", "catchUp"};
    for (int i = 0; i < 5; i++)
        if (required[i][0] == '\0')
            return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: member '%s' is missing", path, names[i]);
    if (out->server_key[0] != '\0' && !lb_is_z85_key(out->server_key))
        return lb_error(err, LABLOOP_ERR_ENDPOINTS, 0, "%s: serverKey must be a 40-character Z85 key", path);
    return LABLOOP_OK;
}
