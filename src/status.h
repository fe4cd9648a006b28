// Status codes with a per-thread message (hawc_last_error_message).
#pragma once

#include "hawc/hawc.h"

namespace hawc {

// Records printf-style `fmt` as this thread's last error and returns `s`.
hawc_status fail(hawc_status s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void clear_error();

}  // namespace hawc
