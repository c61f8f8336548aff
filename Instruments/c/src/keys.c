/* LabLoop key files: "name = value" lines with principal, role, public-key and secret-key. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#define KEY_FILE_LIMIT 65536

static char *trim(char *text) {
    while (isspace((unsigned char)*text)) text++;
    char *end = text + strlen(text);
    while (end > text && isspace((unsigned char)end[-1])) *--end = '\0';
    return text;
}

static int is_role(const char *role) {
    return strcmp(role, "agent") == 0 || strcmp(role, "model") == 0 || strcmp(role, "operator") == 0 ||
           strcmp(role, "observer") == 0;
}

/* Checks one "name = value" line and stores it; seen[] marks names already given. */
static int store(labloop_key_file *out, int seen[4], const char *path, int line, const char *name, const char *value,
                 labloop_error *err) {
    static const char *const names[4] = {"principal", "role", "public-key", "secret-key"};
    int index = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) index = i;
    if (index < 0)
        return lb_error(err, LABLOOP_ERR_KEY_FILE, 0,
                        "%s:%d: unknown name '%s' (known: principal, role, public-key, secret-key)", path, line, name);
    if (seen[index]) return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s:%d: '%s' is given twice", path, line, name);
    seen[index] = 1;
    switch (index) {
    case 0:
        if (*value == '\0' || strlen(value) >= sizeof out->principal)
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s:%d: principal must be 1 to %zu characters", path, line,
                            sizeof out->principal - 1);
        strcpy(out->principal, value);
        return LABLOOP_OK;
    case 1:
        if (!is_role(value))
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0,
                            "%s:%d: role must be one of agent, model, operator, observer, found '%s'", path, line, value);
        strcpy(out->role, value);
        return LABLOOP_OK;
    default:
        if (!lb_is_z85_key(value))
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s:%d: %s must be a 40-character Z85 key, found %zu characters",
                            path, line, name, strlen(value));
        strcpy(index == 2 ? out->public_key : out->secret_key, value);
        return LABLOOP_OK;
    }
}

static int parse(char *text, const char *path, labloop_key_file *out, labloop_error *err) {
    int seen[4] = {0, 0, 0, 0};
    int line = 0;
    for (char *next = text; next != NULL;) {
        char *raw = next;
        next = strchr(raw, '\n');
        if (next != NULL) *next++ = '\0';
        line++;
        char *content = trim(raw);
        if (*content == '\0' || *content == '#') continue;
        char *equals = strchr(content, '=');
        if (equals == NULL || equals == content)
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s:%d: expected 'name = value', found '%.60s'", path, line,
                            content);
        *equals = '\0';
        int status = store(out, seen, path, line, trim(content), trim(equals + 1), err);
        if (status != LABLOOP_OK) return status;
    }
    static const char *const required[3] = {"principal", "role", "public-key"};
    for (int i = 0; i < 3; i++)
        if (!seen[i]) return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s: missing '%s = ...'", path, required[i]);
    if (seen[3]) {
        char derived[LABLOOP_KEY_LENGTH + 1];
        if (zmq_curve_public(derived, out->secret_key) == 0 && strcmp(derived, out->public_key) != 0)
            return lb_error(err, LABLOOP_ERR_KEY_FILE, 0,
                            "%s: public-key does not belong to secret-key: regenerate the pair with labloop keys generate",
                            path);
    }
    return LABLOOP_OK;
}

int labloop_key_file_load(const char *path, labloop_key_file *out, labloop_error *err) {
    if (path == NULL || out == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "key file path and output are required");
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return lb_error(err, LABLOOP_ERR_KEY_FILE, errno, "%s: cannot read the key file: %s", path, strerror(errno));
    char local[KEY_FILE_LIMIT + 1];
    size_t length = fread(local, 1, KEY_FILE_LIMIT + 1, file);
    int read_error = ferror(file);
    struct stat info;
    int have_stat = fstat(fileno(file), &info) == 0;
    fclose(file);
    if (read_error) return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s: cannot read the key file", path);
    if (length > KEY_FILE_LIMIT)
        return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s: larger than %d bytes: is this a LabLoop key file?", path,
                        KEY_FILE_LIMIT);
    local[length] = '\0';
    if (memchr(local, '\0', length) != NULL)
        return lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s: binary data: is this a LabLoop key file?", path);
    int status = parse(local, path, out, err);
    memset(local, 0, sizeof local); /* the secret key does not linger on the stack */
    if (status == LABLOOP_OK && out->secret_key[0] != '\0' && (!have_stat || (info.st_mode & 077) != 0))
        status = lb_error(err, LABLOOP_ERR_KEY_FILE, 0, "%s: the secret key is readable by others (mode %o): chmod 600 %s",
                          path, have_stat ? (unsigned)(info.st_mode & 0777) : 0u, path);
    if (status != LABLOOP_OK) memset(out, 0, sizeof *out);
    return status;
}

int labloop_server_key_load(const char *z85_or_path, char out[LABLOOP_KEY_LENGTH + 1], labloop_error *err) {
    if (z85_or_path == NULL || out == NULL) return lb_error(err, LABLOOP_ERR_INVALID, 0, "a server key is required");
    if (lb_is_z85_key(z85_or_path)) {
        strcpy(out, z85_or_path);
        return LABLOOP_OK;
    }
    struct stat info;
    if (stat(z85_or_path, &info) != 0)
        return lb_error(err, LABLOOP_ERR_INVALID, 0,
                        "server key '%.80s' is neither a 40-character Z85 key nor a key file: pass the coordinator's "
                        "coordinator.pub or the serverKey from its coordinator.json",
                        z85_or_path);
    labloop_key_file keys;
    int status = labloop_key_file_load(z85_or_path, &keys, err);
    if (status != LABLOOP_OK) return status;
    strcpy(out, keys.public_key);
    memset(&keys, 0, sizeof keys);
    return LABLOOP_OK;
}
