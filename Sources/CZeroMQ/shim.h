#ifndef LABLOOP_CZEROMQ_SHIM_H
#define LABLOOP_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <errno.h>

static inline int labloop_errno(void) { return errno; }
#endif
