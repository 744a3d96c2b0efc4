#include "sockkit/json.hpp"

#include <string>

#include <doctest/doctest.h>

using sockkit::Json;
using sockkit::JsonLayout;
using sockkit::to_json_text;

TEST_CASE("json: document layout is indented by two and ends with a newline") {
  Json doc;
  doc["tool"] = "sk-explain";
  doc["count"] = 3;
  doc["states"] = Json::array({"LISTEN", "CLOSE"});
  CHECK(to_json_text(doc) ==
        "{\n"
        "  \"tool\": \"sk-explain\",\n"
        "  \"count\": 3,\n"
        "  \"states\": [\n"
        "    \"LISTEN\",\n"
        "    \"CLOSE\"\n"
        "  ]\n"
        "}\n");
  CHECK(to_json_text(doc, JsonLayout::document) == to_json_text(doc));
}

TEST_CASE("json: line layout is one compact line") {
  Json doc;
  doc["seq"] = 1;
  doc["ok"] = true;
  doc["rtt_ms"] = 0.25;
  doc["peer"] = nullptr;
  doc["nested"] = {{"a", 1}};
  auto text = to_json_text(doc, JsonLayout::line);
  CHECK(text == "{\"seq\":1,\"ok\":true,\"rtt_ms\":0.25,\"peer\":null,\"nested\":{\"a\":1}}\n");
  CHECK(text.find('\n') == text.size() - 1);
}

TEST_CASE("json: keys keep their insertion order") {
  Json doc;
  doc["zulu"] = 1;
  doc["alpha"] = 2;
  doc["mike"] = 3;
  CHECK(to_json_text(doc, JsonLayout::line) == "{\"zulu\":1,\"alpha\":2,\"mike\":3}\n");
}

TEST_CASE("json: invalid UTF-8 becomes U+FFFD instead of throwing") {
  Json doc;
  doc["banner"] = std::string("SSH\xff\xfe-2.0");
  std::string text;
  CHECK_NOTHROW(text = to_json_text(doc, JsonLayout::line));
  CHECK(text == "{\"banner\":\"SSH\xef\xbf\xbd\xef\xbf\xbd-2.0\"}\n");
  CHECK_NOTHROW(text = to_json_text(doc));
  CHECK(text == "{\n  \"banner\": \"SSH\xef\xbf\xbd\xef\xbf\xbd-2.0\"\n}\n");

  // A truncated multi-byte sequence at the end of the string.
  CHECK(to_json_text(Json(std::string("caf\xc3")), JsonLayout::line) == "\"caf\xef\xbf\xbd\"\n");
}

TEST_CASE("json: valid UTF-8 and control characters") {
  CHECK(to_json_text(Json("café"), JsonLayout::line) == "\"café\"\n");
  CHECK(to_json_text(Json(std::string("a\nb\x01")), JsonLayout::line) == "\"a\\nb\\u0001\"\n");
}

TEST_CASE("json: scalars and empty containers") {
  CHECK(to_json_text(Json(42)) == "42\n");
  CHECK(to_json_text(Json::object()) == "{}\n");
  CHECK(to_json_text(Json::array(), JsonLayout::line) == "[]\n");
}

TEST_CASE("json: append_json_string escapes as to_json_text does") {
  auto quoted = [](std::string_view text) {
    std::string out = "x";
    sockkit::append_json_string(out, text);
    return out;
  };
  CHECK(quoted("plain") == "x\"plain\"");
  CHECK(quoted(std::string("a\tb\"c\\d\0e\x1f\x7f", 11)) ==
        "x\"a\\tb\\\"c\\\\d\\u0000e\\u001f\x7f\"");
  CHECK(quoted("\b\f\n\r") == "x\"\\b\\f\\n\\r\"");
  CHECK(quoted("café €, 𝄞") == "x\"café €, 𝄞\"");
  // Not UTF-8: a lone continuation byte, a cut sequence, an overlong form, a
  // surrogate, beyond U+10FFFF. Each such byte becomes U+FFFD.
  CHECK(quoted("a\xff"
               "b") ==
        "x\"a\xef\xbf\xbd"
        "b\"");
  CHECK(quoted("caf\xc3") == "x\"caf\xef\xbf\xbd\"");
  CHECK(quoted("\xc0\xaf") == "x\"\xef\xbf\xbd\xef\xbf\xbd\"");
  CHECK(quoted("\xed\xa0\x80") == "x\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  CHECK(quoted("\xf4\x90\x80\x80") == "x\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  for (std::string_view text : {"SSH-2.0", "a\nb\x01", "café", "tab\there"}) {
    CHECK(quoted(text).substr(1) + "\n" == to_json_text(Json(std::string(text)), JsonLayout::line));
  }
}
