// Regenerates corpus.json: what V8 (Node) answers for `new RegExp(pattern, flags).test(subject)`.
// Run: node generate.js > corpus.json   (tests read corpus.json; they never need node)
'use strict';
const cases = [];
function add(pattern, subjects, flags = 'i') {
  let re = null, error = null;
  try { re = new RegExp(pattern, flags); } catch (e) { error = e.name; }
  for (const subject of subjects) {
    cases.push({ pattern, flags, subject, result: error ? error : re.test(subject) });
  }
  if (subjects.length === 0) cases.push({ pattern, flags, subject: '', result: error ? error : re.test('') });
}
const S = ['', 'a', 'abc', 'ABC', 'aaa', 'abcabc', 'a1b2', 'hello world', 'foo\nbar', 'x y', '😀', 'é', 'ſ', 'K', 'ß', 'user-42', '12345', 'a-b_c', '\t', '\u00a0', 'Σσς', 'İi', 'ǅ', '\u2028', 'aB', '$5.00'];
// literals and case folding
for (const p of ['a', 'A', 'abc', 'ABC', 'é', 'É', 's', 'S', 'k', 'K', 'ß', 'SS', 'σ', 'Σ', 'ς', 'i', 'İ', 'ǅ', 'ǆ', 'Ǆ', 'µ', 'Μ', 'ÿ', 'Ÿ']) add(p, S);
for (const p of ['a', 'ABC', 'é', 'σ']) add(p, S, '');
// dot, anchors, classes, escapes
for (const p of ['.', '^.$', '^..$', '^...$', 'a.c', '^$', '^', '$', 'c$', '^a', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\bc', '\\Bb', 'o\\b', '\\b', '\\B',
  '[abc]', '[^abc]', '[a-c]', '[^a-c]', '[A-Z]', '[\\d-z]', '[z-\\d]', '[\\w-]', '[-a]', '[a-]', '[]', '[^]', '[\\b]', '[\\B]', '[\\-]', '[.]', '[\\]]', ']', '[\\s\\S]',
  '\\n', '\\t', '\\v', '\\f', '\\r', '\\0', '\\cJ', '\\cj', '\\c', '\\c1', '[\\c1]', '[\\c_]', '[\\c]', '\\x41', '\\x4', '\\xZZ', '\\u0041', '\\u004', '\\u{41}', '\\u{2}',
  '\\a', '\\e', '\\z', '\\-', '\\/', '\\p{L}', '\\P', '\\k', '\\q', '\\8', '\\9', '\\1', '\\01', '\\12', '\\101', '\\377', '\\400', '\\08', '[\\1]', '[\\8]', '[\\01]', '[\\400]',
  '[é]', '[É]', '[ſ]', '[s]', '[^s]', '[k]', '[\\u212a]', '[a-zA-Z]', '[^\\w]', '[\\W\\d]', '[ß]', '[σ]', '[Σ]', '\\x73', '[\\x00-\\x7f]', '[^\\x00-\\x7f]', '\\ud83d', '\\ud83d\\ude00', '[\\ud83d]', '[😀]', '^[😀]$', '\\uD83D[\\uDE00]', '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]'])
  add(p, S);
// quantifiers, braces, groups, alternation
for (const p of ['a*', 'a+', 'a?', 'a{2}', 'a{2,}', 'a{1,2}', 'a{2,1}', 'a{,2}', 'a{', 'a{1', 'a{1,', 'a{x}', '{', '}', '{1}', 'x{1}{2}', 'a**', 'a*?', 'a+?', 'a??', 'a{1}?', 'a*??', '*', '+a', '?',
  '^*', '$+', '\\b*', '(?=a)*', '(?=a)+b', '(?!a)?', '(?<=a)*', '(?<!a)+', 'a{0}', 'a{0,0}b', 'a{3,5}', 'a{99999999999}', '(a)', '(a)(b)', '(?:a|b)+', 'a|b', '|', 'a|', '|a', '(|a)+', '()', '(?:)', '(',
  ')', 'a)', '(a', '(?', '(?x)', '(?i:a)', '(?<n>a)', '(?<n>a)(?<n>b)', '(?<n>a)|(?<n>b)', '(?<1>a)', '(?<>a)', '(?<a b>c)', '(?<$x_1>a)\\k<$x_1>', '(?<é>a)', '(?<\\u0061>a)\\k<a>', '\\k<n>', '(?<n>a)\\k<n>', '(?<n>a)\\k<m>', '(?<n>a)\\k', '\\k<n>(?<n>a)',
  '(a)\\1', '(a)\\2', '(a)|\\1b', '\\1(a)', '(a*)\\1', '(\\w)\\1', '(?:(a)|b)\\1c', '(a)+\\1', '((a)|b)+', '(a|ab)(c|bcd)(d*)', '(?=(a))\\1', '(?!(a))\\1b', '(?<=(a))b', '(?<=\\1(a))b', '(?<=(a)\\1)b', '(?<!a)b', '(?<=^|\\s)c',
  '(?<=[a-c]{2})c', '(?<=a.)c', '(a*)*', '(a*)+', '(a*?)*', '(a|)*b', '(?:a?)*?b', '(?:a*)*c', '(?:|a)*b', '(\\2?(a))+', '(a\\1)', '(?:(a)|(b))+', 'x*y+$', '^(?:a+)+$', 'a{2}{3}', '.*', '.*?x', '^.*$', '[\\s\\S]*c'])
  add(p, S);
// realistic audience patterns
const U = ['https://shop.example.com/checkout/step-2', 'https://example.com/', 'http://x.co/a?b=1#c', 'someone@example.com', 'not an email', 'SKU-1234-XL', 'sku-12', '', '/Products/Item?id=42'];
for (const p of ['^https?://', '^https://(www\\.)?example\\.com/?$', '/checkout/(step-)?\\d+', '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$', '^sku-\\d{4}-(s|m|l|xl)$', '[?&]id=(\\d+)', '^/products/', 'example\\.(com|org)', '(?<=checkout/)step', '\\.com\\b', '^(?!.*admin).*$'])
  add(p, U);
// One case per line, so that a regeneration diffs readably.
const lines = cases.map((c) => '    ' + JSON.stringify(c));
console.log('{\n  "generator": "crates/convert-regex/tests/corpus/generate.js",\n  "node": ' + JSON.stringify(process.version) + ',\n  "cases": [\n' + lines.join(',\n') + '\n  ]\n}');
