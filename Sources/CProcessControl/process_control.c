#include "process_control.h"
#include <sys/prctl.h>
#include <stdio.h>

int labloop_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, signal);
}

void labloop_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}
