#ifndef LABLOOP_PROCESS_CONTROL_H
#define LABLOOP_PROCESS_CONTROL_H

/// Asks the kernel to send `signal` to this process when its parent exits (Linux prctl).
/// Returns 0 on success, -1 with errno set otherwise.
int labloop_set_parent_death_signal(int signal);

/// Makes stdout line-buffered even when it is a file or pipe, so progress is visible as it happens.
void labloop_line_buffer_stdout(void);

#endif
