#include "process_control.h"
#include <sys/prctl.h>

int labloop_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, signal);
}
