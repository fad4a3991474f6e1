#!/usr/bin/env node
// convert-parity adapter (protocol v1) for the published npm package
// @convertcom/js-sdk. It reads one JSON request per line on stdin and writes
// one JSON response per `start` / `run` request on stdout, in order.
// See README.md beside this file and spec/protocol.md in the repository.
'use strict';

const readline = require('node:readline');
const util = require('node:util');

const PROTOCOL_VERSION = 1;
const SDK_PACKAGE = '@convertcom/js-sdk';
const FAMILIES = ['hash', 'bucketing', 'rule', 'experience', 'experiences', 'feature', 'segments', 'diagnostics', 'scenario'];
const crypto = require('node:crypto');
const BUCKETING_NOT_DECIDED = 'convert.com_variation_not_decided';

// ---------------------------------------------------------------------------
// stdout carries protocol lines only. Everything that could print through
// `console` (the SDK's own fallbacks included) goes to stderr instead.
// ---------------------------------------------------------------------------
const protocolOut = process.stdout;
const stderrConsole = new console.Console({ stdout: process.stderr, stderr: process.stderr });
for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'table']) {
  console[method] = stderrConsole[method].bind(stderrConsole);
}

function logErr(...args) {
  process.stderr.write(`[adapter-js] ${util.format(...args)}\n`);
}

// The runner stopped reading (EPIPE): nobody is left to answer.
protocolOut.on('error', (error) => {
  logErr(`stdout failed (${error.code || error.message}); exiting`);
  process.exit(0);
});

function send(message) {
  protocolOut.write(`${JSON.stringify(message)}\n`);
}

// ---------------------------------------------------------------------------
// No network, ever: the SDK picks `fetch` when it exists (Node >= 18), so a
// stub installed before the SDK is loaded catches config and tracking calls.
// ---------------------------------------------------------------------------
// While a scenario runs, requests are captured instead of logged.
let captureRequests = null;

globalThis.fetch = async function blockedFetch(url, options = {}) {
  if (captureRequests) {
    captureRequests.push({ url: String(url), method: options.method || 'GET', body: options.body });
  } else {
    logErr(`blocked a network call to ${String(url)}`);
  }
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    headers: { get: () => null },
    json: async () => ({}),
    text: async () => '',
  };
};

process.on('unhandledRejection', (reason) => logErr('unhandled rejection:', reason));
process.on('uncaughtException', (error) => logErr('uncaught exception:', error));

const sdkModule = require(SDK_PACKAGE);
const ConvertSDK = sdkModule.default;
const { LogLevel } = sdkModule;
const sdkPackage = require(`${SDK_PACKAGE}/package.json`);

// ---------------------------------------------------------------------------
// Input checking: every malformed input becomes an `errored` answer.
// ---------------------------------------------------------------------------
class InputError extends Error {}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(value, path) {
  if (!isPlainObject(value)) throw new InputError(`invalid input: \`${path}\` must be a JSON object`);
  return value;
}

function requireString(value, path) {
  if (typeof value !== 'string') throw new InputError(`invalid input: \`${path}\` must be a string`);
  return value;
}

// `null` is treated as absent, as the contract types (serde `Option`) do.
function optional(input, field, check) {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  return check(value, field);
}

// ---------------------------------------------------------------------------
// One SDK instance per case, with the SDK's log calls captured in memory.
// ---------------------------------------------------------------------------

/** A logger client for the SDK's LogManager that keeps the string arguments of every call. */
function createLogRecorder() {
  const entries = [];
  const record = (method) => (...args) => {
    entries.push({ method, texts: args.filter((arg) => typeof arg === 'string') });
  };
  const client = {};
  for (const method of ['log', 'trace', 'debug', 'info', 'warn', 'error']) client[method] = record(method);
  return {
    client,
    /** True when some call carried exactly this message. */
    has: (message) => entries.some((entry) => entry.texts.includes(message)),
    /** Number of calls carrying a message that matches the pattern. */
    count: (pattern) => entries.filter((entry) => entry.texts.some((text) => pattern.test(text))).length,
  };
}

/**
 * A fresh SDK over a deep clone of `data` (the SDK mutates the config it is
 * given). Console logging is SILENT; the recorder sees every level.
 */
function createSdk(data, { environment, bucketing } = {}) {
  const recorder = createLogRecorder();
  const options = {
    data: structuredClone(data),
    network: { tracking: false },
    logger: {
      logLevel: LogLevel.SILENT,
      customLoggers: [{ logger: recorder.client, logLevel: LogLevel.TRACE }],
    },
  };
  if (environment !== undefined) options.environment = environment;
  if (bucketing !== undefined) options.bucketing = bucketing;
  return { sdk: new ConvertSDK(options), recorder };
}

/** `createContext`, failing clearly when the SDK refused to initialise. */
function createContext(sdk, visitorId, visitorAttributes) {
  const context = sdk.createContext(visitorId, visitorAttributes);
  if (!context) {
    throw new Error('the SDK did not initialise from this config (createContext returned null)');
  }
  return context;
}

const MINIMAL_PROJECT = { account_id: 'parity-account', project: { id: 'parity-project' } };

// ---------------------------------------------------------------------------
// Families
// ---------------------------------------------------------------------------

// The bundle does not export its MurmurHash3, but
// `BucketingManager.getValueVisitorBased` returns
// parseInt(String(hash / 2^32 * max_traffic)); with max_traffic = 2^32 and an
// empty experience id that is the hash itself (exact: scaling by a power of two).
const HASH_MAX_TRAFFIC = 2 ** 32;

function runHash(input) {
  const value = requireString(input.value, 'value');
  const seed = input.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InputError('invalid input: `seed` must be an integer in [0, 4294967295]');
  }
  const { sdk } = createSdk(MINIMAL_PROJECT, { bucketing: { max_traffic: HASH_MAX_TRAFFIC } });
  const hash = sdk._dataManager._bucketingManager.getValueVisitorBased(value, { seed, experienceId: '' });
  if (!Number.isInteger(hash) || hash < 0 || hash > 0xffffffff) {
    throw new Error(`the SDK produced a non-u32 hash: ${String(hash)}`);
  }
  return { hash };
}

const BUCKETING_EXPERIENCE_KEY = 'parity-bucketing-experience';

function runBucketing(input) {
  const contractVersion = input.contract_version;
  if (!Number.isInteger(contractVersion)) {
    throw new InputError('invalid input: `contract_version` must be an integer');
  }
  const experienceId = requireString(input.experience_id, 'experience_id');
  const visitorId = requireString(input.visitor_id, 'visitor_id');
  if (!Array.isArray(input.variations)) throw new InputError('invalid input: `variations` must be an array');
  const variations = input.variations.map((variation, i) => {
    requireObject(variation, `variations[${i}]`);
    requireString(variation.id, `variations[${i}].id`);
    if (variation.status !== undefined && typeof variation.status !== 'string') {
      throw new InputError(`invalid input: \`variations[${i}].status\` must be a string when present`);
    }
    // Passed through as given (an absent traffic_allocation or status stays absent).
    return { ...variation, key: variation.id };
  });
  const data = {
    ...MINIMAL_PROJECT,
    experiences: [
      {
        id: experienceId,
        key: BUCKETING_EXPERIENCE_KEY,
        name: 'parity bucketing experience',
        version: contractVersion,
        variations,
      },
    ],
  };
  const { sdk } = createSdk(data);
  const context = createContext(sdk, visitorId);
  const decision = context.runExperience(BUCKETING_EXPERIENCE_KEY, {
    ignoreLocationProperties: true,
    enableTracking: false,
  });
  const bucketValue = sdk._dataManager._bucketingManager.getValueVisitorBased(visitorId, { experienceId });
  let variationId;
  if (isPlainObject(decision)) {
    variationId = decision.id;
  } else if (decision === null || decision === undefined || decision === BUCKETING_NOT_DECIDED) {
    // null: the SDK declined before or after bucketing; undefined: empty visitor id.
    variationId = null;
  } else {
    throw new Error(`runExperience returned an unexpected value: ${JSON.stringify(decision)}`);
  }
  if (variationId !== null && typeof variationId !== 'string') {
    throw new Error(`the SDK selected a variation with a non-string id: ${JSON.stringify(variationId)}`);
  }
  return { bucket_value: bucketValue, variation_id: variationId };
}

function runRule(input) {
  if (!('rule' in input)) throw new InputError('invalid input: `rule` is required');
  if (!('data' in input)) throw new InputError('invalid input: `data` is required');
  const { sdk } = createSdk(MINIMAL_PROJECT);
  const matched = sdk._dataManager._ruleManager.isRuleMatched(structuredClone(input.data), structuredClone(input.rule));
  if (typeof matched !== 'boolean') {
    return { errored: { message: `RuleManager.isRuleMatched returned a non-boolean: ${JSON.stringify(matched)}` } };
  }
  return { result: { matched } };
}

// Gate evidence: the exact messages DataManager.matchRulesByField and
// _retrieveBucketing log in 4.4.3 (MESSAGES.* in the bundle).
const LOG = {
  experienceNotFound: 'Experience not found',
  experienceArchived: 'Experience archived',
  environmentMismatch: 'Experience environment does not match',
  locationMismatch: 'Location does not match',
  audienceMismatch: 'Audience does not match',
  variationsNotFound: 'Variations not found',
  audienceNotRestricted: 'Audience not restricted',
  nonPermanentAudienceNotRestricted: 'Non-Permanent Audience not restricted',
  segmentationNotRestricted: 'Segmentation not restricted',
  audienceRuleMatched: /^Audience .* rule matched$/s,
  segmentationRuleMatched: /^Segmentation .* rule matched$/s,
  visitorBucketed: /^Visitor is bucketed for variation #/s,
};

/** Whether the audience gate passed, from the SDK's own log lines. */
function audienceGatePassed(sdk, recorder, experienceKey) {
  if (recorder.has(LOG.audienceNotRestricted) || recorder.has(LOG.nonPermanentAudienceNotRestricted)) return true;
  const matchedLines = recorder.count(LOG.audienceRuleMatched);
  if (matchedLines === 0) return false;
  const experience = sdk._dataManager.getEntity(experienceKey, 'experiences');
  const mode = experience && experience.settings && experience.settings.matching_options
    ? experience.settings.matching_options.audiences
    : undefined;
  if (mode !== 'all') return true;
  // `all`: one "matched" line per resolved audience (a fresh visitor is never
  // bucketed, so no permanent audience is skipped).
  const resolved = sdk._dataManager.getItemsByIds(experience.audiences, 'audiences');
  return matchedLines === resolved.length;
}

function segmentGatePassed(recorder) {
  return recorder.has(LOG.segmentationNotRestricted) || recorder.count(LOG.segmentationRuleMatched) > 0;
}

/** The vocabulary reason for a `null` decision, from the gate evidence. */
function reasonForNull(sdk, recorder, experienceKey) {
  if (recorder.has(LOG.experienceNotFound)) return 'experience_not_found';
  if (recorder.has(LOG.experienceArchived)) return 'experience_archived';
  if (recorder.has(LOG.environmentMismatch)) return 'environment_mismatch';
  if (recorder.has(LOG.locationMismatch)) return 'location_mismatch';
  if (recorder.has(LOG.audienceMismatch)) {
    return audienceGatePassed(sdk, recorder, experienceKey) && !segmentGatePassed(recorder)
      ? 'segment_mismatch'
      : 'audience_mismatch';
  }
  if (recorder.has(LOG.variationsNotFound)) return 'no_variations';
  if (recorder.count(LOG.visitorBucketed) > 0) return 'variation_not_found';
  return undefined;
}

function asVariationKey(key) {
  if (key === undefined || key === null) return null;
  return typeof key === 'string' ? key : String(key);
}

/**
 * The SDK and a context for a visitor-scoped case: the prior `visitor_state`
 * (if any) is put in the SDK's own visitor store before the context exists,
 * as if an earlier session had stored it.
 */
function visitorSetup(input) {
  const config = requireObject(input.config, 'config');
  const visitorId = requireString(input.visitor_id, 'visitor_id');
  const environment = optional(input, 'environment', requireString);
  const visitorAttributes = optional(input, 'visitor_attributes', requireObject);
  const state = optional(input, 'visitor_state', requireObject);
  const { sdk, recorder } = createSdk(config, { environment });
  if (state !== undefined) {
    const record = {};
    if (state.bucketing !== undefined && state.bucketing !== null) record.bucketing = structuredClone(requireObject(state.bucketing, 'visitor_state.bucketing'));
    if (state.segments !== undefined && state.segments !== null) record.segments = structuredClone(requireObject(state.segments, 'visitor_state.segments'));
    if (Object.keys(record).length > 0) sdk._dataManager.putData(visitorId, record);
  }
  const context = createContext(sdk, visitorId, visitorAttributes === undefined ? {} : structuredClone(visitorAttributes));
  return { sdk, recorder, context, visitorId, state };
}

/** The SDK's stored bucketing map and store key for the visitor. */
function storedOutput(sdk, visitorId) {
  const data = sdk._dataManager.getData(visitorId) || {};
  return { stored_bucketing: structuredClone(data.bucketing || {}), store_key: sdk._dataManager.getStoreKey(visitorId) };
}

/** Call attributes: location properties only when given (absent fails the gate). */
function callAttributes(input) {
  const locationAttributes = optional(input, 'location_attributes', requireObject);
  // Tracking is off so no release timer is armed; it does not take part in decisions.
  const attributes = { enableTracking: false };
  if (locationAttributes !== undefined) attributes.locationProperties = structuredClone(locationAttributes);
  return attributes;
}

function runExperienceCase(input) {
  const experienceKey = requireString(input.experience_key, 'experience_key');
  const forced = optional(input, 'force_variation_id', requireString);
  if (input.preview !== undefined && input.preview !== null) {
    return { skipped: { reason: 'preview is not in @convertcom/js-sdk 4.4.3' } };
  }
  const { sdk, recorder, context, visitorId, state } = visitorSetup(input);
  const attributes = callAttributes(input);
  if (forced !== undefined) attributes.forceVariationId = forced;
  const decision = context.runExperience(experienceKey, attributes);
  const extra = state !== undefined ? storedOutput(sdk, visitorId) : {};

  if (isPlainObject(decision)) {
    if (typeof decision.id !== 'string') {
      throw new Error(`the SDK returned a variation with a non-string id: ${JSON.stringify(decision.id)}`);
    }
    return { result: { variation_id: decision.id, variation_key: asVariationKey(decision.key), reason: 'resolved', ...extra } };
  }
  const miss = (reason) => ({ result: { variation_id: null, variation_key: null, reason, ...extra } });
  if (decision === undefined) return miss('visitor_id_missing');
  if (decision === BUCKETING_NOT_DECIDED) return miss('variation_not_decided');
  if (decision === null) {
    const reason = reasonForNull(sdk, recorder, experienceKey);
    if (reason !== undefined) return miss(reason);
    return { errored: { message: 'runExperience returned null without any gate evidence in the SDK log' } };
  }
  return { errored: { message: `runExperience returned ${JSON.stringify(decision)}` } };
}

function runExperiencesCase(input) {
  if (input.preview !== undefined && input.preview !== null) {
    return { skipped: { reason: 'preview is not in @convertcom/js-sdk 4.4.3' } };
  }
  const { context } = visitorSetup(input);
  const decisions = context.runExperiences(callAttributes(input)) || [];
  return {
    result: {
      decisions: decisions.map((d) => ({
        experience_id: String(d.experienceId),
        experience_key: String(d.experienceKey),
        variation_id: String(d.id),
        variation_key: asVariationKey(d.key),
      })),
    },
  };
}

/** Numbers JSON cannot carry, as `{"$number": …}` (recursively). */
function encodeNumbers(value) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { $number: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
  }
  if (Array.isArray(value)) return value.map(encodeNumbers);
  if (isPlainObject(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeNumbers(v);
    return out;
  }
  return value;
}

function featureEntry(entry) {
  if (!isPlainObject(entry)) throw new Error(`the SDK returned a feature entry that is not an object: ${JSON.stringify(entry)}`);
  const out = {
    feature_id: entry.id === undefined || entry.id === null ? null : String(entry.id),
    feature_key: entry.key === undefined || entry.key === null ? null : String(entry.key),
    status: String(entry.status),
  };
  if (entry.status === 'enabled') {
    if (entry.experienceId !== undefined) out.experience_id = String(entry.experienceId);
    if (entry.experienceKey !== undefined) out.experience_key = String(entry.experienceKey);
    out.variables = encodeNumbers(entry.variables === undefined ? {} : structuredClone(entry.variables));
  }
  return out;
}

function runFeatureCase(input) {
  const call = requireString(input.call, 'call');
  const { context } = visitorSetup(input);
  const attributes = callAttributes(input);
  delete attributes.enableTracking; // runFeature takes no tracking flag; nothing is released offline
  const experienceKeys = optional(input, 'experience_keys', (v, path) => {
    if (!Array.isArray(v) || v.some((k) => typeof k !== 'string')) throw new InputError(`${path} must be a list of strings`);
    return v;
  });
  if (experienceKeys !== undefined) attributes.experienceKeys = experienceKeys;
  const typeCasting = optional(input, 'type_casting', (v, path) => {
    if (typeof v !== 'boolean') throw new InputError(`${path} must be a boolean`);
    return v;
  });
  if (typeCasting !== undefined) attributes.typeCasting = typeCasting;
  let answer;
  if (call === 'run_feature') {
    answer = context.runFeature(requireString(input.feature_key, 'feature_key'), attributes);
  } else if (call === 'run_features') {
    answer = context.runFeatures(attributes);
  } else {
    throw new InputError(`call must be run_feature or run_features, not ${JSON.stringify(call)}`);
  }
  const list = answer === undefined || answer === null ? [] : Array.isArray(answer) ? answer : [answer];
  return { result: { features: list.map(featureEntry) } };
}

function customSegmentsOf(sdk, visitorId) {
  const data = sdk._dataManager.getData(visitorId) || {};
  const custom = data.segments && data.segments.customSegments;
  return Array.isArray(custom) ? custom.map(String) : [];
}

function idsOf(entities) {
  return entities.filter((e) => isPlainObject(e)).map((e) => String(e.id));
}

function entityLookup(input) {
  const config = requireObject(input.config, 'config');
  const entityType = requireString(input.entity_type, 'entity_type');
  const { sdk } = createSdk(config, {});
  const context = createContext(sdk, 'entity-lookup', {});
  switch (input.op) {
    case 'get_entity': {
      const entity = context.getConfigEntity(requireString(input.key, 'key'), entityType);
      return { result: { ids: idsOf(entity ? [entity] : []) } };
    }
    case 'get_entity_by_id': {
      const entity = context.getConfigEntityById(requireString(input.id, 'id'), entityType);
      return { result: { ids: idsOf(entity ? [entity] : []) } };
    }
    default: {
      if (!Array.isArray(input.keys) || input.keys.some((k) => typeof k !== 'string')) throw new InputError('keys must be a list of strings');
      return { result: { ids: idsOf(sdk._dataManager.getItemsByKeys(input.keys, entityType) || []) } };
    }
  }
}

function runSegmentsCase(input) {
  switch (input.op) {
    case 'run_custom_segments': {
      if (!Array.isArray(input.segment_keys) || input.segment_keys.some((k) => typeof k !== 'string')) {
        throw new InputError('segment_keys must be a list of strings');
      }
      const ruleData = optional(input, 'rule_data', requireObject);
      const { sdk, context, visitorId } = visitorSetup(input);
      const before = customSegmentsOf(sdk, visitorId);
      context.runCustomSegments(input.segment_keys, ruleData === undefined ? undefined : { ruleData: structuredClone(ruleData) });
      const after = customSegmentsOf(sdk, visitorId);
      return { result: { added: after.filter((id) => !before.includes(id)), custom_segments: after } };
    }
    case 'set_segments': {
      const segments = requireObject(input.segments, 'segments');
      const { sdk, context, visitorId } = visitorSetup(input);
      context.setDefaultSegments(structuredClone(segments));
      const data = sdk._dataManager.getData(visitorId) || {};
      return { result: { stored_segments: structuredClone(data.segments || {}) } };
    }
    case 'get_entity':
    case 'get_entity_by_id':
    case 'get_entities':
      return entityLookup(input);
    default:
      throw new InputError(`unknown segments op ${JSON.stringify(input.op)}`);
  }
}

function visitorRef(visitorId) {
  return crypto.createHash('sha256').update(visitorId, 'utf8').digest('hex').slice(0, 16);
}

function runDiagnosticsCase(input) {
  const key = requireString(input.key, 'key');
  const visitorId = requireString(input.visitor_id, 'visitor_id');
  const diagnosis = (reason, bucketValue = null, variationKey = null) => ({
    result: { reason, bucket_value: bucketValue, variation_key: variationKey, visitor_ref: visitorRef(visitorId) },
  });
  switch (input.diagnose) {
    case 'experience': {
      const answer = runExperienceCase({ ...input, experience_key: key, visitor_state: input.visitor_state });
      if (!answer.result) return answer;
      if (answer.result.reason !== 'resolved') return diagnosis(answer.result.reason);
      const { sdk } = createSdk(requireObject(input.config, 'config'), {});
      const experience = sdk._dataManager.getEntity(key, 'experiences');
      const value = sdk._dataManager._bucketingManager.getValueVisitorBased(visitorId, { experienceId: String(experience.id) });
      return diagnosis('resolved', value, answer.result.variation_key);
    }
    case 'feature': {
      const { sdk } = createSdk(requireObject(input.config, 'config'), {});
      if (!sdk._dataManager.getEntity(key, 'features')) return diagnosis('feature_not_found');
      const answer = runFeatureCase({ ...input, call: 'run_feature', feature_key: key });
      const enabled = answer.result.features.some((f) => f.status === 'enabled');
      return diagnosis(enabled ? 'resolved' : 'feature_not_in_selected_variations');
    }
    case 'goal': {
      const { sdk } = createSdk(requireObject(input.config, 'config'), {});
      const context = createContext(sdk, visitorId || 'diagnose', {});
      return diagnosis(context.getConfigEntity(key, 'goals') ? 'resolved' : 'goal_not_found');
    }
    case 'entity': {
      const entityType = requireString(input.entity_type, 'entity_type');
      const { sdk } = createSdk(requireObject(input.config, 'config'), {});
      const context = createContext(sdk, visitorId || 'diagnose', {});
      return diagnosis(context.getConfigEntity(key, entityType) ? 'resolved' : 'entity_not_found');
    }
    default:
      throw new InputError(`diagnose must be experience, feature, goal or entity, not ${JSON.stringify(input.diagnose)}`);
  }
}

/** Lets pending promises (tracking releases through `fetch`) settle. */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

function capturedRequest(raw) {
  const url = new URL(raw.url);
  const query = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  let body = null;
  if (typeof raw.body === 'string' && raw.body !== '') {
    try {
      body = JSON.parse(raw.body);
    } catch (error) {
      body = raw.body;
    }
  }
  return { method: raw.method.toUpperCase(), host: url.host, path: url.pathname, query, body };
}

function experienceOutcome(decision) {
  return isPlainObject(decision)
    ? { variation_id: String(decision.id), variation_key: asVariationKey(decision.key) }
    : null;
}

/**
 * One SDK instance, the scenario's operations in order, every request the
 * SDK sends captured by the `fetch` stub. Tracking is on (releases happen at
 * `batch_size` events and on flush); the release interval is an hour, so no
 * timer release interferes.
 */
async function runScenarioCase(input) {
  const config = requireObject(input.config, 'config');
  if (!Array.isArray(input.operations)) throw new InputError('operations must be a list');
  const sdkOptions = input.sdk === undefined ? {} : requireObject(input.sdk, 'sdk');
  const recorder = createLogRecorder();
  const options = {
    data: structuredClone(config),
    network: { tracking: true },
    events: { batch_size: sdkOptions.batch_size === undefined ? 10 : sdkOptions.batch_size, release_interval: 3600000 },
    logger: { logLevel: LogLevel.SILENT, customLoggers: [{ logger: recorder.client, logLevel: LogLevel.TRACE }] },
  };
  if (sdkOptions.environment !== undefined) options.environment = requireString(sdkOptions.environment, 'sdk.environment');
  const captured = [];
  captureRequests = captured;
  const sdk = new ConvertSDK(options);
  try {
    const contexts = new Map();
    const contextOf = (name) => {
      if (!contexts.has(name)) throw new InputError(`no context named ${JSON.stringify(name)} was created`);
      return contexts.get(name);
    };
    const outcomes = [];
    for (const [i, op] of input.operations.entries()) {
      if (!isPlainObject(op)) throw new InputError(`operations[${i}] must be an object`);
      let outcome = null;
      switch (op.op) {
        case 'create_context':
          contexts.set(requireString(op.context, 'context'), createContext(sdk, requireString(op.visitor_id, 'visitor_id'), structuredClone(op.attributes || {})));
          break;
        case 'run_experience': {
          const attributes = {};
          if (op.location_attributes !== undefined) attributes.locationProperties = structuredClone(op.location_attributes);
          if (op.attributes !== undefined) attributes.visitorProperties = structuredClone(op.attributes);
          if (op.enable_tracking !== undefined) attributes.enableTracking = op.enable_tracking;
          outcome = experienceOutcome(contextOf(op.context).runExperience(requireString(op.key, 'key'), attributes));
          break;
        }
        case 'run_experiences': {
          const attributes = {};
          if (op.location_attributes !== undefined) attributes.locationProperties = structuredClone(op.location_attributes);
          if (op.enable_tracking !== undefined) attributes.enableTracking = op.enable_tracking;
          const decisions = contextOf(op.context).runExperiences(attributes) || [];
          outcome = { decisions: decisions.map((d) => ({ experience_id: String(d.experienceId), experience_key: String(d.experienceKey), variation_id: String(d.id), variation_key: asVariationKey(d.key) })) };
          break;
        }
        case 'run_feature': {
          const attributes = {};
          if (op.location_attributes !== undefined) attributes.locationProperties = structuredClone(op.location_attributes);
          const answer = contextOf(op.context).runFeature(requireString(op.key, 'key'), attributes);
          const list = answer === undefined || answer === null ? [] : Array.isArray(answer) ? answer : [answer];
          outcome = { features: list.map(featureEntry) };
          break;
        }
        case 'track_conversion': {
          const attributes = {};
          if (op.rule_data !== undefined) attributes.ruleData = structuredClone(op.rule_data);
          if (op.goal_data !== undefined) attributes.conversionData = structuredClone(op.goal_data);
          if (op.force_multiple !== undefined) attributes.conversionSetting = { forceMultipleTransactions: op.force_multiple };
          contextOf(op.context).trackConversion(requireString(op.goal_key, 'goal_key'), attributes);
          break;
        }
        case 'set_segments':
          contextOf(op.context).setDefaultSegments(structuredClone(requireObject(op.segments, 'segments')));
          break;
        case 'run_custom_segments':
          contextOf(op.context).runCustomSegments(op.segment_keys, op.rule_data === undefined ? undefined : { ruleData: structuredClone(op.rule_data) });
          break;
        case 'flush':
          await sdk._apiManager.releaseQueue('flush');
          break;
        default:
          throw new InputError(`operations[${i}]: unknown op ${JSON.stringify(op.op)}`);
      }
      outcomes.push(outcome);
      await settle();
    }
    await settle();
    return { result: { outcomes, requests: captured.map(capturedRequest) } };
  } finally {
    captureRequests = null;
    sdk._apiManager.stopQueue();
  }
}

const HANDLERS = {
  hash: (input) => ({ result: runHash(input) }),
  bucketing: (input) => ({ result: runBucketing(input) }),
  rule: runRule,
  experience: runExperienceCase,
  experiences: runExperiencesCase,
  feature: runFeatureCase,
  segments: runSegmentsCase,
  diagnostics: runDiagnosticsCase,
  scenario: runScenarioCase,
};

// ---------------------------------------------------------------------------
// Timing (`time` requests, feature `timing`): the loop runs here, in node,
// with the input parsed once before the clock starts.
// ---------------------------------------------------------------------------

/** Scope `case`: the family's handler, exactly as `run` calls it, `iterations` times. */
async function timeCase(family, input, iterations) {
  let answer;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    answer = HANDLERS[family](input);
    if (answer instanceof Promise) answer = await answer;
    if (!answer.result) return answer; // skipped or errored: nothing is timed
  }
  const elapsed = process.hrtime.bigint() - start;
  return { timing: { iterations, elapsed_ns: Number(elapsed), result: answer.result } };
}

/**
 * Scope `decision`: one SDK instance (tracking off, logging off), then
 * createContext + runExperience for the visitors `${visitor_id}-${i}`.
 */
function timeDecisions(input, iterations) {
  const config = requireObject(input.config, 'config');
  const visitorId = requireString(input.visitor_id, 'visitor_id');
  const experienceKey = requireString(input.experience_key, 'experience_key');
  const environment = optional(input, 'environment', requireString);
  const visitorAttributes = optional(input, 'visitor_attributes', requireObject);
  for (const field of ['visitor_state', 'force_variation_id', 'preview']) {
    if (input[field] !== undefined && input[field] !== null) {
      throw new InputError(`the decision scope takes no ${field}`);
    }
  }
  const options = { data: structuredClone(config), network: { tracking: false }, logger: { logLevel: LogLevel.SILENT } };
  if (environment !== undefined) options.environment = environment;
  const sdk = new ConvertSDK(options);
  const attributes = callAttributes(input);
  const properties = visitorAttributes === undefined ? {} : structuredClone(visitorAttributes);
  const visitors = Array.from({ length: iterations }, (_, i) => `${visitorId}-${i}`);
  const counts = new Map();
  const start = process.hrtime.bigint();
  for (const visitor of visitors) {
    const decision = createContext(sdk, visitor, properties).runExperience(experienceKey, attributes);
    if (isPlainObject(decision)) counts.set(decision.id, (counts.get(decision.id) || 0) + 1);
  }
  const elapsed = process.hrtime.bigint() - start;
  return { timing: { iterations, elapsed_ns: Number(elapsed), variations: Object.fromEntries(counts) } };
}

async function answerTime(request) {
  const { seq, family, iterations } = request;
  const scope = request.scope === undefined ? 'case' : request.scope;
  try {
    if (!Object.prototype.hasOwnProperty.call(HANDLERS, family)) {
      return { seq, skipped: { reason: `family ${JSON.stringify(family)} is not supported by this adapter` } };
    }
    if (!Number.isSafeInteger(iterations) || iterations < 1) throw new InputError('`iterations` must be an integer >= 1');
    if (!isPlainObject(request.case)) throw new InputError('invalid request: `case` must be a JSON object');
    const input = requireObject(request.case.input, 'case.input');
    resolveRefs(request.case);
    if (scope === 'case') return { seq, ...(await timeCase(family, input, iterations)) };
    if (scope === 'decision') {
      if (family !== 'experience') throw new InputError(`the decision scope is for the experience family, not ${JSON.stringify(family)}`);
      return { seq, ...timeDecisions(input, iterations) };
    }
    return { seq, skipped: { reason: `timing scope ${JSON.stringify(scope)} is not supported by this adapter` } };
  } catch (error) {
    return { seq, errored: errorInfo(error) };
  }
}

// ---------------------------------------------------------------------------
// Protocol
// ---------------------------------------------------------------------------

function readyMessage() {
  return {
    ready: true,
    implementation: {
      name: sdkPackage.name,
      version: sdkPackage.version,
      language: 'javascript',
      runtime: `node ${process.version}`,
    },
    capabilities: {
      families: FAMILIES,
      // 4.4.3 has only the packed layout: _retrieveBucketing never reads `version`.
      contract_versions: [11],
      features: ['diagnostics', 'visitor_state', 'store_key', 'timing', 'define'],
    },
  };
}

function errorInfo(error) {
  const message = error instanceof Error ? error.message || error.name : `thrown: ${util.inspect(error)}`;
  const info = { message };
  if (error instanceof Error && !(error instanceof InputError) && error.stack) info.traceback = error.stack;
  return info;
}

async function answerRun(request) {
  const seq = request.seq;
  const family = request.family;
  const caseRequest = request.case;
  try {
    if (!Object.prototype.hasOwnProperty.call(HANDLERS, family)) {
      return { seq, skipped: { reason: `family ${JSON.stringify(family)} is not supported by this adapter` } };
    }
    if (!isPlainObject(caseRequest)) throw new InputError('invalid request: `case` must be a JSON object');
    requireObject(caseRequest.input, 'case.input');
    resolveRefs(caseRequest);
    return { seq, ...(await HANDLERS[family](caseRequest.input)) };
  } catch (error) {
    return { seq, errored: errorInfo(error) };
  }
}

// ---------------------------------------------------------------------------
// Definitions (feature `define`): values the runner sends once, under their
// digest, and later cases name in `case.refs` instead of carrying them.
// A defined value is shared by every case that refers to it, so nothing may
// modify it: the handlers give the SDK clones (as `time` already relies on).
// ---------------------------------------------------------------------------
const definitions = new Map();

function define(request) {
  if (typeof request.digest !== 'string' || !Object.prototype.hasOwnProperty.call(request, 'value')) {
    logErr('define request without a string digest and a value; ignored');
    return;
  }
  definitions.set(request.digest, request.value);
}

/** Sets each member named in `case.refs` to the value defined under its digest. */
function resolveRefs(caseRequest) {
  const refs = caseRequest.refs;
  if (refs === undefined || refs === null) return;
  if (!isPlainObject(refs)) throw new InputError('invalid request: `case.refs` must be a JSON object');
  for (const [member, digest] of Object.entries(refs)) {
    if (!definitions.has(digest)) {
      throw new InputError(`undefined reference: \`case.refs.${member}\` names the digest ${JSON.stringify(digest)}, which no \`define\` request of this session defined`);
    }
    // An own data property, as JSON.parse makes (even for `__proto__`).
    Object.defineProperty(caseRequest.input, member, { value: definitions.get(digest), writable: true, enumerable: true, configurable: true });
  }
}

// Answers leave in request order even when a case awaits (scenarios).
let answers = Promise.resolve();

function inOrder(task) {
  answers = answers.then(task).catch((error) => logErr('adapter failure:', error));
}

let stopping = false;

function exitCleanly() {
  stopping = true;
  // Pipes are synchronous on Linux, but wait for a pending write elsewhere.
  if (protocolOut.writableLength > 0) protocolOut.once('drain', () => process.exit(0));
  else process.exit(0);
}

function isSeq(value) {
  return Number.isSafeInteger(value) && value >= 0;
}

function handleLine(line) {
  if (stopping || line.trim() === '') return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    const seqMatch = /"seq"\s*:\s*(\d+)/.exec(line);
    logErr(`request is not JSON (${error.message}): ${line.slice(0, 200)}`);
    if (seqMatch) inOrder(() => send({ seq: Number(seqMatch[1]), errored: { message: `request is not JSON: ${error.message}` } }));
    return;
  }
  if (!isPlainObject(request)) {
    logErr(`request is not a JSON object: ${line.slice(0, 200)}`);
    return;
  }
  switch (request.cmd) {
    case 'start':
      if (request.protocol !== PROTOCOL_VERSION) {
        inOrder(() => send({ ready: false, message: `this adapter speaks protocol ${PROTOCOL_VERSION} only, not ${JSON.stringify(request.protocol)}` }));
        inOrder(exitCleanly);
        return;
      }
      inOrder(() => send(readyMessage()));
      return;
    case 'run':
      if (!isSeq(request.seq)) {
        logErr(`run request without a valid seq: ${line.slice(0, 200)}`);
        return;
      }
      inOrder(async () => send(await answerRun(request)));
      return;
    case 'time':
      if (!isSeq(request.seq)) {
        logErr(`time request without a valid seq: ${line.slice(0, 200)}`);
        return;
      }
      inOrder(async () => send(await answerTime(request)));
      return;
    case 'define':
      define(request);
      return;
    case 'stop':
      inOrder(exitCleanly);
      return;
    default:
      logErr(`unknown command ${JSON.stringify(request.cmd)}`);
      if (isSeq(request.seq)) inOrder(() => send({ seq: request.seq, errored: { message: `unknown command ${JSON.stringify(request.cmd)}` } }));
  }
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
input.on('line', handleLine);
input.on('close', () => inOrder(exitCleanly));
