// Conformance of the wpops simulator, judged by a second independent client: the AWS SDK for
// JavaScript v3 (pinned in `.ci/run`, installed in WPOPS_JS_SDK_DIR).
//
// Calls the operations conformance.py calls, in its order and with its parameters, each on the JS
// client's default protocol (CloudWatch: whichever protocol the installed client defaults to,
// then each of the other two AWS serves it on, forced through the client's `protocol` setting),
// plus an empty list on each CloudWatch protocol and a Live Tail session the service ends.
//
// The SDK deserialises each response with its own model (it throws where it cannot); then the
// parsed output is walked against the operation's output schema, which these clients ship
// (`<Op>$` static schemas read through @smithy/core/schema's NormalizedSchema): required
// members present (a structure schema's 7th slot counts its required members, listed first),
// no member the schema lacks, every value of its schema's type (string, number, boolean, Date
// for timestamps, Uint8Array for blobs, one member per union). The schemas carry no enum values
// and one numeric type for integers and doubles, so enum values come from the client's own type
// declarations (dist-types/models: an interface member typed with an enum of enums.d.ts) and
// integers are not told from doubles (botocore's run does that).
//
// The SDK drops unknown members silently and coerces some scalars, so the raw bodies are checked
// too (the client's request handler keeps them): for JSON and CBOR no member the schema lacks
// and every scalar of its wire type (timestamps epoch seconds, a number or CBOR tag 1); for
// awsQuery XML the `<OpResponse><OpResult>`/`ResponseMetadata` framing and no element the schema
// lacks. Every answer is HTTP 200 with the protocol's Content-Type and a request id in
// `$metadata`. Errors: the thrown error is the modelled exception's class and `name`, with a
// message, the HTTP status and fault its model gives it and, for CloudWatch (awsQuery-compatible),
// its awsQuery code in `Code` on every protocol. StartLiveTail's event stream (which the JS SDK
// reads over plain HTTP/1.1: only input streams need HTTP/2) is walked event by event against its
// union, and a session the service ends must throw the modelled SessionStreamingException.
//
// CloudWatch: @aws-sdk/client-cloudwatch 3.1164 defaults to awsJson1_0 (older v3 clients sent
// awsQuery; the forced awsQuery run stands for them). The line `cloudwatch: … picks …` says
// which protocol the installed client picked.
//
// Usage: node conformance.mjs ENDPOINT_URL REGION ACCESS_KEY SIM_NOW_MS
// Prints one line per call and exits 1 if anything failed. Talks to ENDPOINT_URL only.

import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { Readable } from "node:stream";

const [ENDPOINT, REGION, KEY, NOW_ARG] = process.argv.slice(2);
if (!ENDPOINT || !ENDPOINT.startsWith("http://127.0.0.1:")) {
  console.error("the simulator on loopback only");
  process.exit(2);
}
const NOW_MS = Number(NOW_ARG);
const NOW = new Date(NOW_MS);
const minutesAgo = (m) => new Date(NOW_MS - m * 60_000);

// Versions published after January 2027 will need Node 22; the warning says so on every run.
const emitWarning = process.emitWarning;
process.emitWarning = (w, ...rest) => (String(w).startsWith("NodeVersionSupportWarning") ? undefined : emitWarning.call(process, w, ...rest));

// ESM ignores NODE_PATH: the SDK is required from WPOPS_JS_SDK_DIR (else the working directory).
const SDK_DIR = process.env.WPOPS_JS_SDK_DIR || process.cwd();
const require = createRequire(join(SDK_DIR, "conformance.cjs"));
const { NormalizedSchema } = require("@smithy/core/schema");
const { NodeHttpHandler } = require("@smithy/node-http-handler");
const { parseXML } = require("@aws-sdk/xml-builder");
const protocols = require("@aws-sdk/core/protocols");
const { cbor } = require("@smithy/core/cbor");

const FAILURES = [];
const CALLS = [];

/** Keeps the raw response of the last call (status, headers, body) and hands the SDK a copy. */
class Recording extends NodeHttpHandler {
  last = null;
  async handle(request, options) {
    const out = await super.handle(request, options);
    const r = out.response;
    const type = String(r.headers["content-type"] || "");
    if (type.includes("eventstream")) {
      this.last = { status: r.statusCode, headers: r.headers, body: null };
      return out;
    }
    const chunks = [];
    for await (const c of r.body) chunks.push(c);
    const body = Buffer.concat(chunks);
    r.body = Readable.from([body]);
    this.last = { status: r.statusCode, headers: r.headers, body };
    return out;
  }
}

/** Enum values by structure and member, from the client's type declarations. */
const ENUMS = new Map();
function enumsOf(pkg) {
  if (!ENUMS.has(pkg)) ENUMS.set(pkg, readEnums(pkg));
  return ENUMS.get(pkg);
}

function readEnums(pkg) {
  const dir = join(dirname(require.resolve(`${pkg}/package.json`)), "dist-types", "models");
  const files = readdirSync(dir).filter((f) => f.endsWith(".d.ts"));
  const src = files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
  const enums = new Map();
  for (const m of src.matchAll(/export declare const (\w+): \{([^}]*)\};/g)) {
    enums.set(m[1], [...m[2].matchAll(/: "([^"]*)"/g)].map((v) => v[1]));
  }
  const byMember = new Map();
  for (const m of src.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    for (const line of m[2].matchAll(/^ {4}(\w+)\??: (.+);$/gm)) {
      let t = line[2].replace(/ \| undefined$/, "");
      t = t.replace(/^Record<string, (.+)>$/, "$1").replace(/^\((\w+)\)\[\]$/, "$1").replace(/\[\]$/, "");
      if (enums.has(t)) byMember.set(`${m[1]}.${line[1]}`, enums.get(t));
    }
  }
  return byMember;
}

/** Walks a parsed value against its schema. */
function check(ns, value, path, errors, enums, struct, member) {
  // An event stream's events are walked one by one by its caller.
  if (ns.isStreaming() && value && typeof value[Symbol.asyncIterator] === "function") return;
  if (ns.isStructSchema()) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected a structure, got ${JSON.stringify(value)}`);
      return;
    }
    const sc = ns.getSchema();
    const name = sc[2];
    const members = ns.getMemberSchemas();
    if (ns.isUnionSchema()) {
      const keys = Object.keys(value).filter((k) => value[k] !== undefined);
      if (keys.length !== 1 || keys[0] === "$unknown") errors.push(`${path}: a union with ${JSON.stringify(keys)}`);
    } else {
      for (const req of sc[4].slice(0, sc[6] || 0)) {
        if (value[req] === undefined) errors.push(`${path}.${req}: required member missing`);
      }
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === "$metadata" && path === "$") continue;
      if (v === undefined) continue;
      if (!(k in members)) {
        errors.push(`${path}.${k}: not a member of ${name}`);
        continue;
      }
      check(members[k], v, `${path}.${k}`, errors, enums, name, k);
    }
  } else if (ns.isListSchema()) {
    if (!Array.isArray(value)) {
      errors.push(`${path}: expected a list, got ${JSON.stringify(value)}`);
      return;
    }
    value.forEach((v, i) => check(ns.getValueSchema(), v, `${path}[${i}]`, errors, enums, struct, member));
  } else if (ns.isMapSchema()) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected a map`);
      return;
    }
    for (const [k, v] of Object.entries(value)) check(ns.getValueSchema(), v, `${path}[${k}]`, errors, enums, struct, member);
  } else if (ns.isStringSchema()) {
    if (typeof value !== "string") errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
    const allowed = enums.get(`${struct}.${member}`);
    if (allowed && !allowed.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${allowed}`);
  } else if (ns.isNumericSchema()) {
    if (typeof value !== "number") errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
  } else if (ns.isBooleanSchema()) {
    if (typeof value !== "boolean") errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
  } else if (ns.isTimestampSchema()) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) errors.push(`${path}: expected a timestamp, got ${JSON.stringify(value)}`);
  } else if (ns.isBlobSchema()) {
    if (!(value instanceof Uint8Array)) errors.push(`${path}: expected bytes`);
  }
}

/** The raw JSON (or decoded CBOR) body against the schema: members the SDK would drop unseen,
 * and scalars of the wire type (the SDK coerces some). */
function rawJson(ns, value, path, errors) {
  if (ns.isStructSchema() && value && typeof value === "object" && !Array.isArray(value)) {
    const members = ns.getMemberSchemas();
    for (const [k, v] of Object.entries(value)) {
      if (!(k in members)) errors.push(`${path}.${k}: sent but not in the model (${ns.getSchema()[2]})`);
      else rawJson(members[k], v, `${path}.${k}`, errors);
    }
  } else if (ns.isListSchema() && Array.isArray(value)) {
    value.forEach((v, i) => rawJson(ns.getValueSchema(), v, `${path}[${i}]`, errors));
  } else if (ns.isMapSchema() && value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) rawJson(ns.getValueSchema(), v, `${path}[${k}]`, errors);
  } else if (ns.isStringSchema() && typeof value !== "string") {
    errors.push(`${path}: a string sent as ${JSON.stringify(value)}`);
  } else if (ns.isBooleanSchema() && typeof value !== "boolean") {
    errors.push(`${path}: a boolean sent as ${JSON.stringify(value)}`);
  } else if (ns.isNumericSchema() && typeof value !== "number" && !["NaN", "Infinity", "-Infinity"].includes(value)) {
    errors.push(`${path}: a number sent as ${JSON.stringify(value)}`);
  } else if (ns.isTimestampSchema()) {
    // awsJson: epoch seconds, a number (unless the member's format says otherwise); CBOR: tag 1
    // holding epoch seconds.
    const format = ns.getSchema();
    const ok =
      value?.tag !== undefined
        ? value.tag === 1 && typeof value.value === "number"
        : format === 5 || format === 6
          ? typeof value === "string"
          : typeof value === "number";
    if (!ok) errors.push(`${path}: timestamp sent as ${JSON.stringify(value)}`);
  }
}

/** The raw XML (as parseXML gives it) against the schema: elements the SDK would drop unseen. */
function rawXml(ns, node, path, errors) {
  if (typeof node !== "object" || node === null) return;
  if (ns.isStructSchema()) {
    const names = new Map();
    for (const [k, m] of Object.entries(ns.getMemberSchemas())) names.set(m.getMergedTraits().xmlName ?? k, m);
    for (const [tag, child] of Object.entries(node)) {
      if (tag === "xmlns") continue;
      if (!names.has(tag)) errors.push(`${path}.${tag}: sent but not in the model (${ns.getSchema()[2]})`);
      else rawXml(names.get(tag), child, `${path}.${tag}`, errors);
    }
  } else if (ns.isListSchema()) {
    const item = ns.getValueSchema().getMergedTraits().xmlName ?? "member";
    for (const [tag, child] of Object.entries(node)) {
      if (tag !== item) errors.push(`${path}: <${tag}> where the model has <${item}>`);
      else [child].flat().forEach((c, i) => rawXml(ns.getValueSchema(), c, `${path}[${i}]`, errors));
    }
  }
}

/** What AWS answers each protocol with. */
const CONTENT_TYPES = {
  awsJson1_0: "application/x-amz-json-1.0",
  awsJson1_1: "application/x-amz-json-1.1",
  awsQuery: "text/xml",
  rpcv2Cbor: "application/cbor",
};

function protocolOf(c) {
  return c.config.protocol.getShapeId().split("#")[1];
}

/** A client of `Client` on the simulator: static credentials, one attempt, no host prefix. */
function client(mod, Client, extra = {}) {
  const handler = new Recording({ connectionTimeout: 5000, requestTimeout: 20000 });
  const c = new Client({
    region: REGION,
    endpoint: ENDPOINT,
    credentials: { accessKeyId: KEY, secretAccessKey: "conformance" },
    maxAttempts: 1,
    // StartLiveTail's `stream-` endpoint prefix would be put in front of 127.0.0.1 too.
    disableHostPrefix: true,
    requestHandler: handler,
    ...extra,
  });
  const service = Client.name.replace(/Client$/, "").toLowerCase();
  return { c, mod, handler, service, enums: enumsOf(mod.__pkg) };
}

async function call(k, op, params = {}, label = "") {
  const protocol = protocolOf(k.c);
  const name = `${k.service}.${op} [${protocol}]` + (label ? ` ${label}` : "");
  const errors = [];
  let out;
  k.handler.last = null;
  try {
    out = await k.c.send(new k.mod[`${op}Command`](params));
  } catch (e) {
    FAILURES.push(`${name}: ${e.name}: ${e.message}`);
    console.log(`FAIL ${name}: ${e.name}: ${e.message}`);
    return null;
  }
  const output = NormalizedSchema.of(k.mod[`${op}$`][5]);
  check(output, out, "$", errors, k.enums);
  const raw = k.handler.last || {};
  if (raw.body && raw.body.length) {
    try {
      if (protocol.startsWith("awsJson")) rawJson(output, JSON.parse(raw.body.toString("utf8")), "$", errors);
      if (protocol === "rpcv2Cbor") rawJson(output, cbor.deserialize(new Uint8Array(raw.body)), "$", errors);
      if (protocol === "awsQuery") {
        const doc = parseXML(raw.body.toString("utf8"));
        const root = Object.keys(doc)[0];
        const want = `${op}Result`;
        const tags = Object.keys(doc[root]).filter((t) => t !== "xmlns");
        if (root !== `${op}Response` || tags.join() !== [want, "ResponseMetadata"].join()) {
          errors.push(`XML framing: <${root}> holding ${tags}`);
        } else {
          rawXml(output, doc[root][want], "$", errors);
        }
      }
    } catch (e) {
      errors.push(`raw body: ${e.message}`);
    }
  }
  if (raw.status !== 200) errors.push(`HTTP ${raw.status}`);
  const type = String(raw.headers?.["content-type"] ?? "");
  const want = op === "StartLiveTail" ? "application/vnd.amazon.eventstream" : CONTENT_TYPES[protocol];
  if (!type.startsWith(want)) errors.push(`Content-Type ${JSON.stringify(type)}, not ${want}`);
  if (out.$metadata?.httpStatusCode !== 200) errors.push(`$metadata.httpStatusCode ${out.$metadata?.httpStatusCode}`);
  if (!out.$metadata?.requestId) errors.push("no request id ($metadata.requestId)");
  for (const e of errors) FAILURES.push(`${name}: ${e}`);
  CALLS.push(name);
  console.log((errors.length ? "FAIL " : "ok   ") + name + (errors.length ? ": " + errors.slice(0, 5).join("; ") : ""));
  return out;
}

/** The thrown error is the modelled exception `errorName`, with its message, the HTTP status and
 * fault the model gives it and (awsQuery-compatible services) its awsQuery code in `Code`. */
async function expectError(k, op, errorName, params) {
  const name = `${k.service}.${op} [${protocolOf(k.c)}] error ${errorName}`;
  k.handler.last = null;
  try {
    await k.c.send(new k.mod[`${op}Command`](params));
  } catch (e) {
    const modelled = typeof k.mod[errorName] === "function" && e instanceof k.mod[errorName];
    const problems = [];
    if (e.name !== errorName || !modelled) problems.push(`got ${e.name} (${e.constructor?.name})`);
    if (!e.message) problems.push("no message");
    const traits = modelled ? NormalizedSchema.of(k.mod[`${errorName}$`]).getMergedTraits() : {};
    // awsQuery-compatible services give the query code (x-amzn-query-error on JSON and CBOR).
    const queryCode = traits.awsQueryError?.[0];
    if (queryCode && e.Code !== queryCode) problems.push(`Code ${e.Code}, not ${queryCode}`);
    const status = traits.httpError ?? traits.awsQueryError?.[1] ?? 400;
    if (e.$metadata?.httpStatusCode !== status) problems.push(`HTTP ${e.$metadata?.httpStatusCode}, the model says ${status}`);
    if (traits.error && e.$fault !== traits.error) problems.push(`$fault ${e.$fault}, the model says ${traits.error}`);
    if (!e.$metadata?.requestId) problems.push("no request id ($metadata.requestId)");
    const type = String(k.handler.last?.headers?.["content-type"] ?? "");
    const want = CONTENT_TYPES[protocolOf(k.c)];
    if (!type.startsWith(want)) problems.push(`Content-Type ${JSON.stringify(type)}, not ${want}`);
    if (problems.length) {
      FAILURES.push(`${name}: ${problems.join("; ")}: ${e.message}`);
      console.log(`FAIL ${name}: ${problems.join("; ")}`);
    } else {
      CALLS.push(name);
      console.log(`ok   ${name}: ${String(e.message).slice(0, 80)}`);
    }
    return;
  }
  FAILURES.push(`${name}: no error`);
  console.log(`FAIL ${name}: no error`);
}

/** JSON with object keys sorted: equal values, whatever order their members come in. */
function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join()}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join()}}`;
  return JSON.stringify(v);
}

function load(pkg) {
  const mod = require(pkg);
  mod.__pkg = pkg;
  return mod;
}

function version(pkg) {
  return require(`${pkg}/package.json`).version;
}

async function cloudwatch(k) {
  const protocol = protocolOf(k.c);
  const dims = [
    { Name: "WebACL", Value: "wordpress-waf" },
    { Name: "Region", Value: REGION },
    { Name: "Rule", Value: "ALL" },
  ];
  const metric = (name) => ({ Namespace: "AWS/WAFV2", MetricName: name, Dimensions: dims });
  let out = await call(k, "GetMetricData", {
    MetricDataQueries: [
      { Id: "m1", MetricStat: { Metric: metric("BlockedRequests"), Period: 60, Stat: "Sum" }, ReturnData: false },
      { Id: "m2", MetricStat: { Metric: metric("AllowedRequests"), Period: 60, Stat: "Sum" }, ReturnData: false },
      { Id: "share", Expression: "m1 / (m1 + m2) * 100", Label: "blocked %" },
      { Id: "total", Expression: "SUM(METRICS())" },
    ],
    StartTime: minutesAgo(30),
    EndTime: NOW,
    ScanBy: "TimestampAscending",
  });
  if (out) {
    const res = Object.fromEntries((out.MetricDataResults || []).map((r) => [r.Id, r]));
    const { share, total } = res;
    if (!share || (share.Values || []).length < 20 || !share.Values.every((v) => v > 0 && v < 100)) {
      FAILURES.push(`cloudwatch [${protocol}]: expression points ${JSON.stringify(share)}`);
    } else if (
      !total ||
      share.Timestamps.map(Number).join() !== total.Timestamps.map(Number).join() ||
      share.Label !== "blocked %"
    ) {
      FAILURES.push(`cloudwatch [${protocol}]: timestamps or label differ`);
    } else if (share.Timestamps[0].getUTCSeconds() !== 0 || share.Timestamps[0].getUTCMilliseconds() !== 0) {
      FAILURES.push(`cloudwatch [${protocol}]: timestamp ${share.Timestamps[0].toISOString()}`);
    }
  }
  out = await call(k, "ListMetrics", { Namespace: "AWS/WAFV2", MetricName: "BlockedRequests" });
  if (out && !(out.Metrics || []).length) FAILURES.push(`cloudwatch [${protocol}]: ListMetrics found nothing`);
  // An empty list goes out on awsQuery as `Dimensions=` (the JS SDK, like botocore, serialises
  // empty lists): no dimension filter, as on the other protocols.
  const all = await call(k, "ListMetrics", { Namespace: "AWS/WAFV2", Dimensions: [] }, "empty list");
  if (all && !(all.Metrics || []).length) FAILURES.push(`cloudwatch [${protocol}]: ListMetrics with no dimensions found nothing`);
  // A period that is not a multiple of 60 passes the SDK's own validation; the service refuses it.
  await expectError(
    k,
    "GetMetricData",
    "InvalidParameterValueException",
    {
      MetricDataQueries: [
        { Id: "m1", MetricStat: { Metric: { Namespace: "AWS/WAFV2", MetricName: "BlockedRequests" }, Period: 45, Stat: "Sum" } },
      ],
      StartTime: minutesAgo(30),
      EndTime: NOW,
    },
  );
  await expectError(k, "GetMetricData", "InvalidParameterValueException", { MetricDataQueries: [], StartTime: minutesAgo(30), EndTime: NOW });
  await expectError(
    k,
    "GetMetricData",
    "ValidationException",
    { MetricDataQueries: [{ Id: "e1", Expression: "ANOMALY_DETECTION_BAND(m1)" }], StartTime: minutesAgo(30), EndTime: NOW },
  );
}

/** StartLiveTail: the JS SDK reads an output event stream over HTTP/1.1 (only input streams need
 * HTTP/2). Each event is walked against the stream's union schema. */
async function liveTail(logs, sts) {
  const account = (await call(sts, "GetCallerIdentity", {}, "for the ARN"))?.Account;
  const arn = `arn:aws:logs:${REGION}:${account}:log-group:/ecs/wordpress`;
  const out = await call(logs, "StartLiveTail", { logGroupIdentifiers: [arn], logStreamNamePrefixes: ["wp/nginx/"] });
  if (!out) return;
  const union = NormalizedSchema.of(logs.mod.StartLiveTail$[5]).getMemberSchemas().responseStream;
  const seen = [];
  try {
    for await (const event of out.responseStream) {
      const errors = [];
      check(union, event, "$.responseStream", errors, logs.enums, "StartLiveTailResponse", "responseStream");
      const kind = Object.keys(event)[0];
      const name = `cloudwatchlogs.StartLiveTail [${protocolOf(logs.c)}] event ${kind}`;
      for (const e of errors) FAILURES.push(`${name}: ${e}`);
      CALLS.push(name);
      console.log((errors.length ? "FAIL " : "ok   ") + name + (errors.length ? ": " + errors.slice(0, 5).join("; ") : ""));
      seen.push(kind);
      if (kind === "sessionUpdate") break;
    }
  } catch (e) {
    FAILURES.push(`cloudwatchlogs.StartLiveTail: the stream failed: ${e.name}: ${e.message}`);
  }
  if (seen.slice(0, 2).join() !== "sessionStart,sessionUpdate") {
    FAILURES.push(`cloudwatchlogs.StartLiveTail: events ${seen}, not sessionStart then sessionUpdate`);
  }
  await expectError(logs, "StartLiveTail", "ResourceNotFoundException", { logGroupIdentifiers: [arn + "-nope"] });
  // A session the service ends (the simulator's control plane ends it): the stream throws the
  // modelled exception its exception frame names.
  const again = await call(logs, "StartLiveTail", { logGroupIdentifiers: [arn] }, "ended by the service");
  if (!again) return;
  const name = `cloudwatchlogs.StartLiveTail [${protocolOf(logs.c)}] stream error SessionStreamingException`;
  let ended = null;
  try {
    let ending = null;
    for await (const event of again.responseStream) {
      if ("sessionStart" in event && !ending) {
        ending = fetch(`${ENDPOINT}/_sim/live-tail/end?error=SessionStreamingException`, { method: "POST" });
      }
    }
    await ending;
  } catch (e) {
    ended = e;
  }
  const modelled = ended && typeof logs.mod.SessionStreamingException === "function" && ended instanceof logs.mod.SessionStreamingException;
  if (!ended || ended.name !== "SessionStreamingException" || !modelled || !ended.message) {
    FAILURES.push(`${name}: got ${ended ? `${ended.name} (${ended.constructor?.name}): ${ended.message}` : "the stream's end"}`);
    console.log(`FAIL ${name}: got ${ended?.name}`);
  } else {
    CALLS.push(name);
    console.log(`ok   ${name}: ${String(ended.message).slice(0, 80)}`);
  }
}

async function main() {
  const STS = load("@aws-sdk/client-sts");
  const ELB = load("@aws-sdk/client-elastic-load-balancing-v2");
  const ECS = load("@aws-sdk/client-ecs");
  const LOGS = load("@aws-sdk/client-cloudwatch-logs");
  const WAF = load("@aws-sdk/client-wafv2");
  const ECR = load("@aws-sdk/client-ecr");
  const CW = load("@aws-sdk/client-cloudwatch");
  const sts = client(STS, STS.STSClient);
  const elb = client(ELB, ELB.ElasticLoadBalancingV2Client);
  const ecs = client(ECS, ECS.ECSClient);
  const logs = client(LOGS, LOGS.CloudWatchLogsClient);
  const waf = client(WAF, WAF.WAFV2Client);
  const ecr = client(ECR, ECR.ECRClient);
  for (const k of [sts, elb, ecs, logs, waf, ecr]) {
    console.log(`${k.service}: ${k.mod.__pkg} ${version(k.mod.__pkg)} picks ${protocolOf(k.c)}`);
    if (!k.enums.size) FAILURES.push(`${k.mod.__pkg}: no enum found in its type declarations (their layout changed?)`);
  }
  // The walk reads the required members from the schema's 7th slot: DescribeServices needs
  // `services`, listed first. If a new @smithy/core lays its schemas out otherwise, say so.
  const probe = NormalizedSchema.of(ECS.DescribeServicesRequest$).getSchema();
  if (probe[4][0] !== "services" || probe[6] !== 1) FAILURES.push("the schemas' required-member count is not where the walk reads it");

  await call(sts, "GetCallerIdentity");

  const lbs = await call(elb, "DescribeLoadBalancers");
  const lb = lbs?.LoadBalancers?.[0] ?? {};
  for (const member of ["CreatedTime", "CanonicalHostedZoneId", "AvailabilityZones", "SecurityGroups", "IpAddressType"]) {
    if (!(member in lb)) FAILURES.push(`DescribeLoadBalancers: no ${member}`);
  }
  const tgs = await call(elb, "DescribeTargetGroups", { LoadBalancerArn: lb.LoadBalancerArn });
  await call(elb, "DescribeTargetHealth", { TargetGroupArn: tgs?.TargetGroups?.[0]?.TargetGroupArn });
  await expectError(elb, "DescribeLoadBalancers", "LoadBalancerNotFoundException", { Names: ["nope"] });

  await call(ecs, "ListClusters");
  await call(ecs, "ListServices", { cluster: "wp-prod" });
  const svc = (await call(ecs, "DescribeServices", { cluster: "wp-prod", services: ["wordpress"] }))?.services?.[0] ?? {};
  const arns = (await call(ecs, "ListTasks", { cluster: "wp-prod", serviceName: "wordpress" }))?.taskArns ?? [];
  await call(ecs, "DescribeTasks", { cluster: "wp-prod", tasks: arns });
  await call(ecs, "DescribeTaskDefinition", { taskDefinition: svc.taskDefinition });
  await call(ecs, "ListTaskDefinitions");
  await call(ecs, "RegisterTaskDefinition", {
    family: "conformance",
    containerDefinitions: [{ name: "app", image: "public.ecr.aws/nginx/nginx:stable", essential: true }],
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
  });
  // What `wpops audit` reads must come back as registered.
  const posture = {
    name: "php-fpm",
    image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest",
    essential: true,
    readonlyRootFilesystem: false,
    privileged: true,
    memory: 1536,
    memoryReservation: 1024,
    environment: [{ name: "WORDPRESS_DB_HOST", value: "db:3306" }],
    secrets: [{ name: "WORDPRESS_DB_PASSWORD", valueFrom: "arn:aws:ssm:ap-northeast-1:123456789012:parameter/db" }],
    mountPoints: [{ sourceVolume: "wordpress", containerPath: "/app/public", readOnly: true }],
    dependsOn: [{ containerName: "nginx", condition: "START" }],
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/wordpress", "awslogs-region": REGION, "awslogs-stream-prefix": "wp", mode: "non-blocking" },
    },
  };
  const registered = await call(
    ecs,
    "RegisterTaskDefinition",
    {
      family: "conformance-posture",
      containerDefinitions: [posture],
      volumes: [{ name: "wordpress", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/", transitEncryption: "DISABLED" } }],
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "2048",
    },
    "posture fields",
  );
  if (registered) {
    const got = registered.taskDefinition.containerDefinitions[0];
    for (const [k, v] of Object.entries(posture)) {
      if (k !== "logConfiguration" && canon(got[k]) !== canon(v)) {
        FAILURES.push(`RegisterTaskDefinition: ${k} not echoed as sent: ${JSON.stringify(got[k])}`);
      }
    }
    if (got.logConfiguration?.options?.mode !== "non-blocking") {
      FAILURES.push(`RegisterTaskDefinition: log mode not echoed: ${JSON.stringify(got.logConfiguration)}`);
    }
    const vol = registered.taskDefinition.volumes?.[0]?.efsVolumeConfiguration ?? {};
    if (vol.transitEncryption !== "DISABLED") FAILURES.push(`RegisterTaskDefinition: transitEncryption not echoed: ${JSON.stringify(vol)}`);
  }
  const overrides = { cpu: "512", memory: "1024", containerOverrides: [{ name: "warmer", command: ["true"] }] };
  const run = await call(ecs, "RunTask", {
    cluster: "wp-prod",
    taskDefinition: "wordpress-warmer",
    launchType: "FARGATE",
    overrides,
    networkConfiguration: { awsvpcConfiguration: { subnets: [lb.AvailabilityZones?.[0]?.SubnetId] } },
  });
  const task = run?.tasks?.[0] ?? {};
  if (task.cpu !== "512" || task.memory !== "1024" || canon(task.overrides) !== canon(overrides)) {
    FAILURES.push(`RunTask: size or overrides not as sent: ${task.cpu} ${task.memory} ${JSON.stringify(task.overrides)}`);
  }
  await call(ecs, "StopTask", { cluster: "wp-prod", task: task.taskArn, reason: "conformance" });
  await call(ecs, "UpdateService", { cluster: "wp-prod", service: "wordpress", forceNewDeployment: true });
  const deps = await call(ecs, "ListServiceDeployments", { cluster: "wp-prod", service: "wordpress" });
  const depArns = (deps?.serviceDeployments ?? []).map((d) => d.serviceDeploymentArn).slice(0, 5);
  const described = await call(ecs, "DescribeServiceDeployments", { serviceDeploymentArns: depArns });
  const rev = (described?.serviceDeployments ?? []).filter((d) => d.targetServiceRevision).map((d) => d.targetServiceRevision.arn).slice(0, 5);
  await call(ecs, "DescribeServiceRevisions", { serviceRevisionArns: rev });
  await expectError(ecs, "DescribeServices", "ClusterNotFoundException", { cluster: "nope", services: ["x"] });

  await call(logs, "DescribeLogGroups");
  const streams = await call(logs, "DescribeLogStreams", { logGroupName: "/ecs/wordpress", logStreamNamePrefix: "wp/nginx/" });
  await call(logs, "FilterLogEvents", { logGroupName: "/ecs/wordpress", logStreamNamePrefix: "wp/nginx/", limit: 50 });
  await call(logs, "GetLogEvents", { logGroupName: "/ecs/wordpress", logStreamName: streams?.logStreams?.[0]?.logStreamName, limit: 20 });
  await call(logs, "CreateLogGroup", { logGroupName: `/conformance/${NOW_MS}` });
  await call(logs, "CreateLogStream", { logGroupName: `/conformance/${NOW_MS}`, logStreamName: "s" });
  await call(logs, "PutLogEvents", {
    logGroupName: `/conformance/${NOW_MS}`,
    logStreamName: "s",
    logEvents: [{ timestamp: NOW_MS, message: "conformance" }],
  });
  await expectError(logs, "FilterLogEvents", "ResourceNotFoundException", { logGroupName: "/nope" });
  await liveTail(logs, sts);

  const acls = (await call(waf, "ListWebACLs", { Scope: "REGIONAL" }))?.WebACLs ?? [{}];
  const acl = (await call(waf, "GetWebACL", { Name: acls[0].Name, Scope: "REGIONAL", Id: acls[0].Id }))?.WebACL ?? {};
  await call(waf, "GetWebACLForResource", { ResourceArn: lb.LoadBalancerArn });
  await call(waf, "GetSampledRequests", {
    WebAclArn: acl.ARN,
    RuleMetricName: acl.Rules?.[0]?.VisibilityConfig?.MetricName,
    Scope: "REGIONAL",
    TimeWindow: { StartTime: minutesAgo(30), EndTime: NOW },
    MaxItems: 100,
  });
  await call(waf, "GetLoggingConfiguration", { ResourceArn: acl.ARN });

  const repos = await call(ecr, "DescribeRepositories", { repositoryNames: ["wordpress", "wordpress-warmer"] });
  const images = await call(ecr, "DescribeImages", { repositoryName: "wordpress", imageIds: [{ imageTag: "php-latest" }] });
  if (repos && images) {
    const digest = images.imageDetails[0].imageDigest;
    const found = await call(ecr, "DescribeImageScanFindings", { repositoryName: "wordpress", imageId: { imageDigest: digest }, maxResults: 5 });
    if (found && (found.imageScanFindings?.findings ?? []).length > 5) FAILURES.push("DescribeImageScanFindings: more findings than maxResults");
  }
  await call(ecr, "DescribeImages", { repositoryName: "wordpress-warmer" }, "all");
  await expectError(ecr, "DescribeRepositories", "RepositoryNotFoundException", { repositoryNames: ["nope"] });
  await expectError(ecr, "DescribeImages", "ImageNotFoundException", { repositoryName: "wordpress", imageIds: [{ imageTag: "nope" }] });

  // CloudWatch: the client's default protocol, then the other two AWS serves it on.
  const cw = client(CW, CW.CloudWatchClient);
  const picked = protocolOf(cw.c);
  console.log(`cloudwatch: ${CW.__pkg} ${version(CW.__pkg)} picks ${picked}`);
  await cloudwatch(cw);
  for (const [id, P] of [
    ["awsQuery", protocols.AwsQueryProtocol],
    ["rpcv2Cbor", protocols.AwsSmithyRpcV2CborProtocol],
    ["awsJson1_0", protocols.AwsJson1_0Protocol],
  ]) {
    if (id === picked) continue;
    const forced = client(CW, CW.CloudWatchClient, { protocol: new P(cw.c.config.protocolSettings) });
    if (protocolOf(forced.c) !== id) {
      FAILURES.push(`cloudwatch: could not force ${id}`);
      continue;
    }
    await cloudwatch(forced);
  }

  console.log(`${CALLS.length} calls checked, ${FAILURES.length} failures`);
  for (const f of FAILURES) console.log("  " + f);
  process.exit(FAILURES.length ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL conformance.mjs: ${e.stack}`);
  process.exit(1);
});
