// Protocol-level tests of the js adapter: spawn it, speak protocol v1, check
// the answers. Expected values are the JavaScript SDK's verified behaviour
// (the reference digests' tables and probes), never the adapter's own output.
// Run with `node --test test/` after `npm ci --legacy-peer-deps`.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ADAPTER_DIR = path.join(__dirname, '..');

/** Runs one session; returns the exit status and every stdout line parsed as JSON. */
function session(lines) {
  const run = spawnSync(process.execPath, ['adapter.js'], {
    cwd: ADAPTER_DIR,
    input: lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  const out = run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  return { status: run.status, out, stderr: run.stderr };
}

/** Runs `start`, one `run` per [family, input], `stop`; returns the run answers. */
function runCases(cases) {
  const lines = [{ cmd: 'start', protocol: 1 }];
  cases.forEach(([family, input], i) => lines.push({ cmd: 'run', seq: i + 1, family, case: { id: `t${i + 1}`, input } }));
  lines.push({ cmd: 'stop' });
  const { status, out } = session(lines);
  assert.equal(status, 0);
  assert.equal(out.length, cases.length + 1);
  out.slice(1).forEach((answer, i) => assert.equal(answer.seq, i + 1));
  return out.slice(1);
}

const ruleOf = (key, matchType, value, negated = false) => ({
  OR: [{ AND: [{ OR_WHEN: [{ key, value, matching: { match_type: matchType, negated } }] }] }],
});

// The digest's probe config (§12): experience 300 / exp-1, 301 and 302 at 50/50, audience `plan matches pro`.
function probeConfig() {
  return {
    account_id: '100',
    project: { id: '200' },
    experiences: [
      {
        id: '300', key: 'exp-1', name: 'Experience 1', version: 11, audiences: ['500'],
        settings: { matching_options: { audiences: 'any' } },
        variations: [
          { id: '301', key: 'variation-0', status: 'running', traffic_allocation: 50 },
          { id: '302', key: 'variation-1', status: 'running', traffic_allocation: 50 },
        ],
      },
    ],
    audiences: [{ id: '500', key: 'aud-pro', type: 'transient', rules: ruleOf('plan', 'matches', 'pro') }],
    segments: [],
    archived_experiences: [],
  };
}

function experienceInput(change = () => {}, fields = {}) {
  const config = probeConfig();
  change(config);
  return {
    config,
    visitor_id: 'visitor-123',
    visitor_attributes: { plan: 'pro', country: 'US' },
    location_attributes: { url: 'x' },
    experience_key: 'exp-1',
    ...fields,
  };
}

test('start answers the handshake with the installed SDK identity', () => {
  const { status, out } = session([{ cmd: 'start', protocol: 1, unknown_future_field: 1 }, { cmd: 'stop' }]);
  assert.equal(status, 0);
  assert.equal(out.length, 1);
  assert.equal(out[0].ready, true);
  assert.deepEqual(out[0].implementation.name, '@convertcom/js-sdk');
  assert.deepEqual(out[0].implementation.version, '4.4.3');
  assert.deepEqual(out[0].capabilities, {
    families: ['hash', 'bucketing', 'rule', 'experience', 'experiences', 'feature', 'segments', 'diagnostics', 'scenario'],
    contract_versions: [11],
    features: ['diagnostics', 'visitor_state', 'store_key', 'timing', 'define'],
  });
});

test('start with another protocol version is refused', () => {
  const { status, out } = session([{ cmd: 'start', protocol: 2 }, { cmd: 'stop' }]);
  assert.equal(status, 0);
  assert.equal(out.length, 1);
  assert.equal(out[0].ready, false);
  assert.match(out[0].message, /protocol 1/);
});

test('hash matches the verified MurmurHash3 table, seed 0 included', () => {
  const table = [
    ['', 0, 0], ['', 1, 1364076727], ['hello', 0, 613153351], ['hello', 9999, 198804431],
    ['abc', 9999, 3277137089], ['abcd', 9999, 347024488], ['abcde', 9999, 80561883],
    ['300visitor-123', 9999, 3482310444], ['é', 9999, 3298638250], ['😀', 9999, 689720682],
    ['\ud800', 9999, 4211015195], ['用户123', 9999, 3859151469],
  ];
  const answers = runCases(table.map(([value, seed]) => ['hash', { value, seed }]));
  answers.forEach((answer, i) => assert.deepEqual(answer.result, { hash: table[i][2] }, JSON.stringify(table[i])));
});

test('bucketing gives the verified bucket values and the SDK walk order', () => {
  const values = [['', 'visitor', 9457], ['100', 'visitor-1', 5819], ['300', 'visitor-123', 8107],
    ['100334665', 'user-1', 7890], ['', '日本', 6208], ['900000001', 'thirds-core-O-1', 293]];
  const cases = values.map(([experience_id, visitor_id]) => ['bucketing',
    { contract_version: 11, experience_id, visitor_id, variations: [] }]);
  const probe = (variations) => ['bucketing', { contract_version: 11, experience_id: '300', visitor_id: 'visitor-123', variations }];
  cases.push(probe([{ id: '301', traffic_allocation: 50 }, { id: '302', traffic_allocation: 50 }]));
  // Integer-like ids walk first: "1000" takes [0, 5000), "b" [5000, 10000); 8107 → "b".
  cases.push(probe([{ id: 'b', traffic_allocation: 50 }, { id: '1000', traffic_allocation: 50 }]));
  cases.push(probe([{ id: 'a' }])); // absent allocation: 100%
  cases.push(probe([{ id: 'a', traffic_allocation: null }])); // null is 0: dropped
  cases.push(probe([{ id: 'a', status: 'RUNNING' }])); // status is compared case-sensitively
  const answers = runCases(cases);
  values.forEach(([, , value], i) => assert.equal(answers[i].result.bucket_value, value));
  const tail = answers.slice(values.length).map((a) => a.result);
  assert.deepEqual(tail, [
    { bucket_value: 8107, variation_id: '302' },
    { bucket_value: 8107, variation_id: 'b' },
    { bucket_value: 8107, variation_id: 'a' },
    { bucket_value: 8107, variation_id: null },
    { bucket_value: 8107, variation_id: null },
  ]);
});

test('rule answers with the SDK quirks', () => {
  const answers = runCases([
    ['rule', { rule: ruleOf('a', 'equals', 'X'), data: { a: 'x' } }],
    ['rule', { rule: ruleOf('a', 'less', 10, true), data: { a: 'abc' } }],
    ['rule', { rule: ruleOf('b', 'equals', 'x', true), data: { a: 'x' } }],
    ['rule', { rule: ruleOf('a', 'contains', '  '), data: { a: 'zzz' } }],
    ['rule', { rule: ruleOf('a', 'isIn', 'abc'), data: { a: 'ABC' } }],
    ['rule', { rule: { OR: [{ AND: [{ OR_WHEN: [{ key: 'a', value: 'x', matching: { match_type: 'equals' } }] }] }] }, data: { a: 'x' } }],
    ['rule', { rule: null, data: { a: 'x' } }],
  ]);
  assert.deepEqual(answers.slice(0, 6).map((a) => a.result.matched), [true, false, false, true, false, false]);
  assert.ok(answers[6].errored, 'a null rule makes the SDK throw');
});

test('experience reasons follow the SDK evidence, one per gate', () => {
  const segment = { id: '800', key: 'seg-1', rules: null };
  const cases = [
    ['resolved', experienceInput()],
    ['visitor_id_missing', experienceInput(undefined, { visitor_id: '' })],
    ['experience_not_found', experienceInput(undefined, { experience_key: 'nope' })],
    ['experience_archived', experienceInput((c) => { c.archived_experiences = ['300']; })],
    ['environment_mismatch', experienceInput((c) => { c.experiences[0].environment = 'production'; })],
    ['location_mismatch', experienceInput(undefined, { location_attributes: undefined })],
    ['audience_mismatch', experienceInput(undefined, { visitor_attributes: { plan: 'free' } })],
    ['segment_mismatch', experienceInput((c) => { c.experiences[0].audiences = ['500', '800']; c.segments = [segment]; })],
    ['no_variations', experienceInput((c) => { c.experiences[0].variations = []; })],
    ['variation_not_decided', experienceInput((c) => { c.experiences[0].variations.forEach((v) => { v.traffic_allocation = 10; }); })],
    ['variation_not_found', experienceInput((c) => { c.experiences[0].variations.forEach((v) => { v.id = Number(v.id); }); })],
  ];
  const answers = runCases(cases.map(([, input]) => ['experience', input]));
  answers.forEach((answer, i) => {
    const [reason] = cases[i];
    assert.ok(answer.result, `${reason}: ${JSON.stringify(answer)}`);
    assert.equal(answer.result.reason, reason);
    if (reason === 'resolved') {
      assert.deepEqual(answer.result, { variation_id: '302', variation_key: 'variation-1', reason });
    } else {
      assert.equal(answer.result.variation_id, null);
      assert.equal(answer.result.variation_key, null);
    }
  });
});

test('matching "all" separates audience from segment failures', () => {
  const us = { id: '501', key: 'aud-us', type: 'transient', rules: ruleOf('country', 'matches', 'US') };
  const all = (audiences) => (c) => {
    c.experiences[0].audiences = audiences;
    c.experiences[0].settings.matching_options.audiences = 'all';
    c.audiences.push(us);
    c.segments = [{ id: '800', key: 'seg-1', rules: null }];
  };
  const answers = runCases([
    ['experience', experienceInput(all(['500', '501']), { visitor_attributes: { plan: 'pro', country: 'FR' } })],
    ['experience', experienceInput(all(['500', '501']))],
    ['experience', experienceInput(all(['500', '501', '800']))],
    ['experience', experienceInput(all(['500', '501', '800']), { visitor_attributes: { plan: 'pro', country: 'US', customSegments: ['800'] } })],
  ]);
  assert.deepEqual(answers.map((a) => a.result.reason), ['audience_mismatch', 'resolved', 'segment_mismatch', 'resolved']);
});

test('bad input is answered, never fatal, and stdout stays protocol-only', () => {
  const { status, out } = session([
    { cmd: 'start', protocol: 1 },
    'not json at all',
    '{"cmd":"run","seq":1,"family":',
    { cmd: 'run', seq: 2, family: 'hash', case: { id: 'x', input: { value: 5, seed: 1 } } },
    { cmd: 'run', seq: 3, family: 'hash', case: { id: 'x', input: { value: 'a', seed: -1 } } },
    { cmd: 'run', seq: 4, family: 'bucketing', case: { id: 'x', input: { contract_version: 11, experience_id: '1', visitor_id: 'v', variations: 'x' } } },
    { cmd: 'run', seq: 5, family: 'experience', case: { id: 'x', input: { config: [], visitor_id: 'v', experience_key: 'k' } } },
    { cmd: 'run', seq: 6, family: 'experience', case: { id: 'x', input: experienceInput((c) => { delete c.experiences[0].settings; }) } },
    { cmd: 'run', seq: 7, family: 'teleport', case: { id: 'x', input: {} } },
    { cmd: 'run', seq: 8, family: 'hash' },
    { cmd: 'run', seq: 9, family: 'hash', case: { id: 'x', input: { value: 'hello', seed: 9999 } } },
  ]);
  assert.equal(status, 0, 'end of input exits 0');
  assert.deepEqual(out.slice(1).map((a) => a.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const answer of out.slice(1, 7)) assert.ok(answer.errored && answer.errored.message, JSON.stringify(answer));
  assert.ok(out[7].skipped, 'an unknown family is skipped');
  assert.ok(out[8].errored);
  assert.deepEqual(out[9].result, { hash: 198804431 });
});

test('stop ends the session with status 0 and nothing after it', () => {
  const { status, out } = session([
    { cmd: 'start', protocol: 1 },
    { cmd: 'stop' },
    { cmd: 'run', seq: 1, family: 'hash', case: { id: 'x', input: { value: '', seed: 0 } } },
  ]);
  assert.equal(status, 0);
  assert.equal(out.length, 1);
});

// --- the families added with the whole evaluation surface and the SDK ---

const project = (extra = {}) => ({ account_id: '100', project: { id: '200' }, ...extra });
const fullArm = (changes = []) => ({ id: '301', key: 'on', status: 'running', traffic_allocation: 100, changes });
const featureChange = (variables) => ({ id: 'c1', type: 'fullStackFeature', data: { feature_id: '700', variables_data: variables } });

test('feature variables are cast as castType casts them, NaN encoded', () => {
  const config = project({
    experiences: [{ id: '300', key: 'e', variations: [fullArm([featureChange({ n: '0x1f', bad: 'abc', flag: '0' })])] }],
    features: [{ id: '700', key: 'f', variables: [{ key: 'n', type: 'integer' }, { key: 'bad', type: 'float' }, { key: 'flag', type: 'boolean' }] }],
  });
  const [answer] = runCases([['feature', { config, visitor_id: 'v', location_attributes: {}, call: 'run_feature', feature_key: 'f' }]]);
  // Digest §5.2: parseInt('0x1f') = 31, parseFloat('abc') = NaN, !!'0' = true.
  assert.deepEqual(answer.result.features[0].variables, { n: 31, bad: { $number: 'NaN' }, flag: true });
  const [undeclared] = runCases([['feature', { config, visitor_id: 'v', location_attributes: {}, call: 'run_feature', feature_key: 'nope' }]]);
  assert.deepEqual(undeclared.result.features, [{ feature_id: null, feature_key: 'nope', status: 'disabled' }]);
});

test('custom segments latch: once one matches, later ones in config order are added', () => {
  const rules = (key) => ({ OR: [{ AND: [{ OR_WHEN: [{ key, value: 'yes', matching: { match_type: 'equals', negated: false } }] }] }] });
  const config = project({ segments: [{ id: '800', key: 'a', rules: rules('a') }, { id: '801', key: 'b', rules: rules('never') }] });
  const [answer] = runCases([['segments', { op: 'run_custom_segments', config, visitor_id: 'v', segment_keys: ['b', 'a'], rule_data: { a: 'yes' } }]]);
  // Digest §6: config order, and the quirk adds 801 without evaluating it.
  assert.deepEqual(answer.result, { added: ['800', '801'], custom_segments: ['800', '801'] });
});

test('a stored decision wins and the store key is the SDK own', () => {
  const config = project({ experiences: [{ id: '300', key: 'e', variations: [{ ...fullArm(), traffic_allocation: 50 }, { id: '302', key: 'off', status: 'stopped', traffic_allocation: 50 }] }] });
  const [answer] = runCases([['experience', { config, visitor_id: 'v', location_attributes: {}, experience_key: 'e', visitor_state: { bucketing: { 300: '302' } } }]]);
  // Digest §3.2 step 13: the stored variation is returned even though it is stopped.
  assert.equal(answer.result.variation_id, '302');
  assert.equal(answer.result.store_key, '100-200-v');
});

test('diagnostics carry the visitor reference and the bucket value of a resolved decision', () => {
  const config = project({ experiences: [{ id: '300', key: 'exp-1', variations: [fullArm()] }] });
  const [answer] = runCases([['diagnostics', { config, visitor_id: 'visitor-123', location_attributes: {}, diagnose: 'experience', key: 'exp-1' }]]);
  // Digest §2.1: bucket value of ("300", "visitor-123") is 8107.
  assert.equal(answer.result.reason, 'resolved');
  assert.equal(answer.result.bucket_value, 8107);
  assert.equal(answer.result.visitor_ref.length, 16);
});

test('a scenario captures the tracking batch: segments frozen, goal dedup by key', () => {
  const config = project({ experiences: [{ id: '300', key: 'e', variations: [fullArm()] }], goals: [{ id: '600', key: 'g', rules: null }] });
  const [answer] = runCases([['scenario', { config, operations: [
    { op: 'create_context', context: 'c', visitor_id: 'v', attributes: { country: 'US' } },
    { op: 'run_experience', context: 'c', key: 'e', location_attributes: {} },
    { op: 'set_segments', context: 'c', segments: { browser: 'CH' } },
    { op: 'track_conversion', context: 'c', goal_key: 'g' },
    { op: 'track_conversion', context: 'c', goal_key: 'g' },
    { op: 'flush' },
  ] }]]);
  const [request] = answer.result.requests;
  assert.equal(answer.result.requests.length, 1);
  assert.equal(request.path, '/v1/track/100/200');
  const visitor = request.body.visitors[0];
  // Digest §7: segments frozen at the first enqueue; the repeat is deduplicated.
  assert.deepEqual(visitor.segments, { country: 'US' });
  assert.deepEqual(visitor.events.map((e) => e.eventType), ['bucketing', 'conversion']);
});

test('time runs the evaluations inside node: case scope answers what run answers', () => {
  const input = experienceInput();
  const { status, out } = session([
    { cmd: 'start', protocol: 1 },
    { cmd: 'run', seq: 1, family: 'experience', case: { id: 'r', input } },
    { cmd: 'time', seq: 2, family: 'experience', case: { id: 't', input }, iterations: 3 },
    { cmd: 'time', seq: 3, family: 'hash', case: { id: 'h', input: { value: 'hello', seed: 9999 } }, iterations: 5, scope: 'case' },
    { cmd: 'stop' },
  ]);
  assert.equal(status, 0);
  assert.ok(out[0].capabilities.features.includes('timing'));
  const [, run, timed, hash] = out;
  assert.equal(timed.seq, 2);
  assert.equal(timed.timing.iterations, 3);
  assert.ok(Number.isInteger(timed.timing.elapsed_ns) && timed.timing.elapsed_ns >= 0);
  // The timed evaluation is the normal path: the digest's probe decides 302 (bucket 8107).
  assert.deepEqual(timed.timing.result, run.result);
  assert.equal(run.result.variation_id, '302');
  assert.deepEqual(hash.timing.result, { hash: 198804431 });
  assert.equal(hash.timing.iterations, 5);
});

test('define: cases by reference answer as whole ones; an undefined digest is errored', () => {
  const input = experienceInput();
  const { config, ...rest } = input;
  const digest = 'sha256:probe';
  const { status, out } = session([
    { cmd: 'start', protocol: 1 },
    { cmd: 'run', seq: 1, family: 'experience', case: { id: 'whole', input } },
    { cmd: 'define', digest, value: config },
    { cmd: 'run', seq: 2, family: 'experience', case: { id: 'ref', input: { ...rest }, refs: { config: digest } } },
    { cmd: 'run', seq: 3, family: 'experience', case: { id: 'ref-again', input: { ...rest }, refs: { config: digest } } },
    { cmd: 'time', seq: 4, family: 'experience', case: { id: 'timed', input: { ...rest }, refs: { config: digest } }, iterations: 2 },
    { cmd: 'run', seq: 5, family: 'experience', case: { id: 'undefined', input: { ...rest }, refs: { config: 'sha256:never' } } },
    { cmd: 'define', value: 1 },
    { cmd: 'stop' },
  ]);
  assert.equal(status, 0);
  assert.ok(out[0].capabilities.features.includes('define'));
  const [, whole, ref, again, timed, undefinedRef] = out;
  assert.equal(out.length, 6, 'define is never answered');
  assert.deepEqual(ref.result, whole.result);
  assert.deepEqual(again.result, whole.result);
  assert.deepEqual(timed.timing.result, whole.result);
  assert.equal(undefinedRef.seq, 5);
  assert.match(undefinedRef.errored.message, /undefined reference: `case.refs.config` names the digest "sha256:never"/);
});

test('time with the decision scope decides every visitor once, on one SDK instance', () => {
  const input = experienceInput();
  const n = 6;
  const visitors = Array.from({ length: n }, (_, i) => `visitor-123-${i}`);
  // The same visitors through the normal path, one fresh SDK per case.
  const runs = runCases(visitors.map((visitorId) => ['experience', { ...input, visitor_id: visitorId }]));
  const expected = {};
  for (const answer of runs) {
    if (answer.result.variation_id !== null) expected[answer.result.variation_id] = (expected[answer.result.variation_id] || 0) + 1;
  }
  const { out } = session([
    { cmd: 'start', protocol: 1 },
    { cmd: 'time', seq: 1, family: 'experience', case: { id: 'd', input }, iterations: n, scope: 'decision' },
    { cmd: 'time', seq: 2, family: 'hash', case: { id: 'h', input: { value: 'a', seed: 1 } }, iterations: 1, scope: 'decision' },
    { cmd: 'time', seq: 3, family: 'experience', case: { id: 'z', input }, iterations: 0 },
    { cmd: 'time', seq: 4, family: 'experience', case: { id: 'f', input: { ...input, force_variation_id: '301' } }, iterations: 1, scope: 'decision' },
    { cmd: 'stop' },
  ]);
  assert.equal(out.length, 5);
  assert.equal(out[1].timing.iterations, n);
  assert.deepEqual(out[1].timing.variations, expected);
  assert.equal(Object.values(out[1].timing.variations).reduce((a, b) => a + b, 0), n);
  for (const refused of out.slice(2)) assert.ok(refused.errored, JSON.stringify(refused));
});
