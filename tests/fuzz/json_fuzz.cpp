// JSON output of bytes from the network (a banner, a reply): to_json_text on an object
// holding the input as a string, in both layouts.
//   It never throws, even on invalid UTF-8; the text ends with its only line break in
//   the line layout, and parses back as JSON holding the input when that was valid
//   UTF-8, or valid UTF-8 with U+FFFD in place of the bad sequences otherwise.
#include <string>

#include "fuzz.hpp"
#include "sockkit/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  bool valid_utf8 = true;
  try {
    (void)sockkit::Json(text).dump();
  } catch (const nlohmann::json::type_error&) {
    valid_utf8 = false;
  }
  sockkit::Json doc = {{"banner", text}, {"lines", sockkit::Json::array({text, text})}};
  for (auto layout : {sockkit::JsonLayout::document, sockkit::JsonLayout::line}) {
    auto out = sockkit::to_json_text(doc, layout);
    FUZZ_CHECK(!out.empty() && out.back() == '\n');
    if (layout == sockkit::JsonLayout::line) FUZZ_CHECK(out.find('\n') == out.size() - 1);
    sockkit::Json back;
    try {
      back = sockkit::Json::parse(out);
    } catch (const nlohmann::json::exception&) {
      fuzz::fail("to_json_text wrote text that does not parse as JSON", __FILE__, __LINE__);
    }
    FUZZ_CHECK(back.is_object() && back["banner"].is_string() && back["lines"].size() == 2);
    auto banner = back["banner"].get<std::string>();
    if (valid_utf8) {
      FUZZ_CHECK(banner == text);
    } else {
      FUZZ_CHECK(banner.find("\xef\xbf\xbd") != std::string::npos);
      (void)sockkit::Json(banner).dump();  // throws (and so fails) if still invalid
    }
    FUZZ_CHECK(back["lines"][0] == back["banner"] && back["lines"][1] == back["banner"]);
  }
  return 0;
}
