#include "read_buffers.hpp"

#include <utility>

namespace sk_echo {

namespace {

// Left uninitialised: every byte is written by recv() before it is read.
ReadBuffers::Buffer fresh_buffer() {
  return std::make_unique_for_overwrite<char[]>(ReadBuffers::kSize);
}

}  // namespace

ReadBuffers::ReadBuffers() : current_(fresh_buffer()) {
  spares_.reserve(kMaxSpares);
}

ReadBuffers::Buffer ReadBuffers::take_current() {
  Buffer next;
  if (spares_.empty()) {
    next = fresh_buffer();
  } else {
    next = std::move(spares_.back());
    spares_.pop_back();
  }
  return std::exchange(current_, std::move(next));
}

void ReadBuffers::give_back(Buffer buffer) noexcept {
  if (buffer && spares_.size() < kMaxSpares) spares_.push_back(std::move(buffer));
}

}  // namespace sk_echo
