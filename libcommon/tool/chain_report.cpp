// Rows and verdict of the chain report (pot-chain-report, pot-devnet's final table).
#include "libcommon/tool/chain_report.h"

#include <cstdio>
#include <filesystem>

#include "libcommon/core/data_field.h"

namespace pot {

namespace {

std::string shortHex(const Hash256& h) { return h.hex().substr(0, 8); }

PublicKey keyFrom(capnp::Data::Reader d) { return d.size() == 32 ? hashFrom(d) : PublicKey{}; }

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::string padded(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string coins(uint64_t baseUnits) {
  // 1 coin = 1e8 base units, shown to 4 decimals, rounded half to even as printf does.
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(baseUnits) / 1e8);
  return buf;
}

}  // namespace

std::string ReportNames::key(const PublicKey& k) const {
  auto it = keys.find(k);
  return it == keys.end() ? shortHex(k) : it->second;
}

std::string ReportNames::model(const Hash256& m) const {
  auto it = models.find(m);
  return it == models.end() ? shortHex(m) : it->second;
}

Status addKeyNames(ReportNames& names, const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> pems;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".pem") pems.push_back(e.path());
  if (ec) return Status::io("cannot list '" + dir + "': " + ec.message());
  for (const auto& p : pems) {
    if (auto key = SigningKey::load(p.string()))
      names.keys[key->publicKey()] = p.stem().string();
    else if (auto pub = loadPublicKey(p.string()))
      names.keys[*pub] = p.stem().string();
    else
      return Status::malformed("'" + p.string() + "' is not a PEM key");
  }
  return Status::ok();
}

Result<BlockRow> blockRow(const Message& block, const ReportNames& names) {
  POT_TRY(expectKind(block, schema::Envelope::BLOCK, "block"));
  return blockRow(block.envelope().getBlock(), names);
}

BlockRow blockRow(schema::Block::Reader block, const ReportNames& names) {
  auto body = block.getBody();
  auto h = body.getHeader().getBody();
  BlockRow r;
  r.height = h.getHeight();
  r.model = names.model(keyFrom(h.getModelId()));
  r.stage = h.getStage();
  for (auto td : body.getDeclarations())
    r.declarers.push_back(names.key(keyFrom(td.getBody().getPubkey())));
  for (auto s : body.getStakeholderSignatures())
    r.stakeholders.push_back(names.key(keyFrom(s.getBody().getPubkey())));
  r.stakeholders.push_back(names.key(keyFrom(body.getWrapper())));
  for (auto p : body.getCoinbase()) r.rewards[names.key(keyFrom(p.getTo()))] += p.getAmount();
  return r;
}

std::string reportHeading() {
  return "height  model     stage  declarers            stakeholders (wrapper last)   rewards";
}

std::string formatRow(const BlockRow& row) {
  std::string rewards;
  for (const auto& [name, amount] : row.rewards)
    rewards += (rewards.empty() ? "" : " ") + name + "=" + coins(amount);
  return padded(std::to_string(row.height), 6, true) + "  " + padded(row.model, 8, false) + "  " +
         padded(std::to_string(row.stage), 5, true) + "  " +
         padded(joined(row.declarers), 19, false) + "  " +
         padded(joined(row.stakeholders), 28, false) + "  " + rewards;
}

void writeRow(JsonWriter& w, const BlockRow& row) {
  w.beginObject().field("height", row.height).field("model", row.model).field("stage", row.stage);
  w.key("declarers").beginArray();
  for (const auto& d : row.declarers) w.value(d);
  w.endArray().key("stakeholders").beginArray();
  for (const auto& s : row.stakeholders) w.value(s);
  w.endArray().key("rewards").beginObject();
  for (const auto& [name, amount] : row.rewards) w.field(name, amount);
  w.endObject().endObject();
}

std::string formatOutcome(const RunOutcome& o) {
  char acc[96];
  std::snprintf(acc, sizeof acc, "test accuracy  network %.4f  single-process %.4f", o.accuracy,
                o.referenceAccuracy);
  return "final state  network " + o.finalState.hex() + "\n             single  " +
         o.referenceState.hex() + "  (" + (o.identical() ? "identical" : "DIFFERENT") + ")\n" +
         acc + "\nall nodes hold the same chain up to the last stage: " + (o.agree ? "yes" : "NO") +
         "\n";
}

std::string reportJson(const std::vector<BlockRow>& rows, const RunOutcome* outcome) {
  JsonWriter w(JsonWriter::Style::kPretty);
  w.beginObject().key("blocks").beginArray();
  for (const auto& r : rows) writeRow(w, r);
  w.endArray();
  if (!outcome) return w.endObject().str() + "\n";
  const RunOutcome& o = *outcome;
  w.field("finalState", o.finalState.hex())
      .field("referenceState", o.referenceState.hex())
      .field("identical", o.identical())
      .field("accuracy", o.accuracy)
      .field("referenceAccuracy", o.referenceAccuracy)
      .field("agree", o.agree);
  return w.endObject().str() + "\n";
}

}  // namespace pot
