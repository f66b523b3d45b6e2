// App-webhook receiver for stripehook's notify tests. Verifies every request with the
// `standardwebhooks` npm package (not our code) and appends one JSON line per request to the
// log file: {"n","id","verified","status","type","user_id","outbox_id","error"}.
//
// usage: node receiver.js --secret whsec_... --log FILE --port-file FILE [--fail-first N]
//        node receiver.js --plain --log FILE --port-file FILE   (alerts: no signature, body kept)
// Listens on 127.0.0.1, port 0; writes the bound port to --port-file once listening. The first
// N requests are answered 503 (the app is "down"), later ones 204 when the signature verifies,
// 400 otherwise.
"use strict";
const fs = require("fs");
const http = require("http");
const { Webhook } = require("standardwebhooks");

function arg(name, fallback) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const secret = arg("secret");
const logFile = arg("log");
const portFile = arg("port-file");
const failFirst = parseInt(arg("fail-first", "0"), 10);
const plain = process.argv.includes("--plain");
const webhook = plain ? null : new Webhook(secret);
let count = 0;

function record(entry) {
  fs.appendFileSync(logFile, JSON.stringify(entry) + "\n");
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    count += 1;
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = {
      "webhook-id": req.headers["webhook-id"],
      "webhook-timestamp": req.headers["webhook-timestamp"],
      "webhook-signature": req.headers["webhook-signature"],
    };
    const entry = { n: count, id: headers["webhook-id"] || null };
    if (count <= failFirst) {
      entry.status = 503;
      record(entry);
      res.writeHead(503).end();
      return;
    }
    if (plain) {
      entry.status = 204;
      entry.body = JSON.parse(body);
      record(entry);
      res.writeHead(204).end();
      return;
    }
    try {
      const payload = webhook.verify(body, headers);
      entry.verified = true;
      entry.status = 204;
      entry.type = payload.type;
      entry.user_id = payload.data.user_id;
      entry.outbox_id = payload.data.outbox_id;
    } catch (e) {
      entry.verified = false;
      entry.status = 400;
      entry.error = String(e && e.message);
    }
    record(entry);
    res.writeHead(entry.status).end();
  });
});

server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile + ".tmp", String(server.address().port));
  fs.renameSync(portFile + ".tmp", portFile);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
