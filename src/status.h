// Status codes with a per-thread message (hawc_last_error_message).
#pragma once

#include <cstring>

#include "hawc/hawc.h"

namespace hawc {

// Records printf-style `fmt` as this thread's last error and returns `s`.
hawc_status fail(hawc_status s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void clear_error();

// Enum values arrive from C, where any int fits; reading an out-of-range value
// through the C++ enum type would be undefined, so read the bytes as an int.
template <typename Enum>
int raw_enum(const Enum& e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized here");
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

}  // namespace hawc
