// sk-explain: the TCP state machine, the handshake and the close, and what each
// state means on a production host, printed from sockkit's knowledge base.
#include <string>

#include <fmt/format.h>

#include "render.hpp"
#include "sockkit/cli.hpp"
#include "sockkit/error.hpp"
#include "topic.hpp"

namespace {

using sockkit::cli::Format;

struct Options {
  std::string topic;
  bool diagram = false;
  sockkit::cli::OutputOptions output;
};

constexpr const char* kExamples = R"(Topics:
  states        every TCP state with a one-line meaning (the default)
  STATE         one state in full, any spelling: time-wait, TIME_WAIT, SYN_RCVD, fin-wait-1
  handshake     the three-way handshake, segment by segment
  close         the four-way close, TIME_WAIT and 2MSL, the simultaneous close
  diagram       the whole state machine (same as --diagram)
  tcp-vs-udp    what TCP gives you that UDP does not
  osi           the seven OSI layers with example protocols
  socket        a socket's life from socket() to close(), call by call
  syn-flood     half-open connections, the SYN backlog and SYN cookies
  rules         the sk-states findings; RULE for one (accept-queue, ...)

Examples:
  sk-explain                      list the states
  sk-explain close-wait           why CLOSE_WAIT piles up and what to check
  sk-explain handshake            SYN, SYN+ACK, ACK and the state of each side
  sk-explain syn-flood            SYN_RECV piles: a flood or a full queue?
  sk-explain --diagram | less     the state machine
  sk-explain -j | jq -r '.states[] | select(.pileup != null) | .name'
)";

int run(const Options& options) {
  auto format = options.output.resolved_format();
  auto color = options.output.resolved_color();
  if (options.diagram && !options.topic.empty()) {
    throw sockkit::InputError(fmt::format(
        "--diagram draws the whole state machine and takes no topic (got \"{}\")", options.topic));
  }
  auto topic = options.diagram ? sk_explain::Topic{sk_explain::TopicKind::diagram}
                               : sk_explain::parse_topic(options.topic);
  if (format == Format::json) {
    sockkit::cli::write_out(sockkit::to_json_text(sk_explain::render_json(topic)));
    return sockkit::cli::exit_ok;
  }
  sk_explain::TextStyle style{sockkit::Painter(sockkit::color_enabled(color, 1)),
                              sockkit::cli::output_width()};
  sockkit::cli::write_out(sk_explain::render_text(topic, style));
  return sockkit::cli::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (auto code = sockkit::cli::version_only("sk-explain", argc, argv)) return *code;
  Options options;
  CLI::App app(
      "Explain the TCP state machine, the handshake and the close, and what each "
      "state means when it piles up on a host.",
      "sk-explain");
  app.add_option("topic", options.topic, "A topic or a TCP state (see below)")->type_name("TOPIC");
  app.add_flag("-d,--diagram", options.diagram, "Draw the TCP state machine");
  sockkit::cli::add_output_options(app, options.output, {Format::text, Format::json});
  app.footer(kExamples);
  return sockkit::cli::run("sk-explain", app, argc, argv, [&] { return run(options); });
}
