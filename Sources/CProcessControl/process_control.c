#include "process_control.h"
#include <stdio.h>


void labloop_line_buffer_stdout(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
}
