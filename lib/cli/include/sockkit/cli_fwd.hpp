// Names of CLI11's types for headers that only hold pointers or references to them
// (an Options struct with CLI::Option* members, an add_options(CLI::App&) declaration).
// Including CLI/CLI.hpp costs seconds of compile time in every file that sees it, and
// most files that see a tool's options never touch CLI11 themselves.
#pragma once

namespace CLI {
class App;
class Option;
}  // namespace CLI
