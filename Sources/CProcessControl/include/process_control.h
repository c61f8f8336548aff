#ifndef LABLOOP_PROCESS_CONTROL_H
#define LABLOOP_PROCESS_CONTROL_H

/// Makes stdout line-buffered even when it is a file or pipe, so progress is visible as it happens.
void labloop_line_buffer_stdout(void);

#endif
