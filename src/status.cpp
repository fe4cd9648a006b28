#include "src/status.h"

#include <cstdarg>
#include <cstdio>

namespace hawc {
namespace {
thread_local char g_message[512];
}

hawc_status fail(hawc_status s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(g_message, sizeof g_message, fmt, ap);
  va_end(ap);
  return s;
}

void clear_error() { g_message[0] = '\0'; }

}  // namespace hawc

extern "C" const char* hawc_last_error_message(void) { return hawc::g_message; }

extern "C" const char* hawc_status_string(hawc_status s) {
  switch (hawc::raw_enum(s)) {
    case HAWC_STATUS_SUCCESS: return "success";
    case HAWC_STATUS_INVALID_PARAMETER: return "invalid parameter";
    case HAWC_STATUS_UNSUPPORTED_PARAMETER: return "unsupported parameter";
    case HAWC_STATUS_OUT_OF_MEMORY: return "out of memory";
  }
  return "unknown status";
}
