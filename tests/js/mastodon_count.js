// Test-only reference: how long Mastodon says a status is, independently of syndicator.
//
// Mastodon's StatusLengthValidator joins spoiler_text with the status text in which every URL
// found by twitter-text's extractor (with Mastodon's regex overrides from its
// config/initializers/twitter_regex.rb, protocol required) is replaced by 23 "x", and counts
// Ruby grapheme clusters. Here: twitter-text 3.1.0's own component regexes (domain, TLD lists,
// preceding characters, the stock balanced parentheses) with Mastodon's overrides written out
// below, run with the `u` flag so classes work on code points as Ruby's do. Graphemes: the
// larger of Intl.Segmenter (current Unicode, with rule GB9c) and graphemer (Unicode 15.0,
// before GB9c, as Ruby's Onigmo counts `क्षत्रिय` as 5).
//
// stdin: JSON array of {"text": str, "spoiler": str, "url_length"?: int}
// stdout: JSON array of {"count": int, "urls": [[start, end] in code points]}
'use strict';
const fs = require('fs');
const domainToASCII = require('url').domainToASCII;
const Graphemer = require('graphemer').default;
const R = (name) => require(`twitter-text/dist/regexp/${name}`);

// twitter-text's sources escape characters that need no escape; the u flag refuses those.
const U_ESCAPES = new Set('^$\\.*+?()[]{}|/-dDwWsSbBnrtvf0xucpPk'.split(''));
const forU = (source) => source.replace(/\\(.)/gsu, (m, c) => (U_ESCAPES.has(c) ? m : c));

const stock = {
  preceding: forU(R('validUrlPrecedingChars').source),
  domain: forU(R('validDomain').source),
  port: forU(R('validPortNumber').source),
  balancedParens: forU(R('validUrlBalancedParens').source), // before Mastodon's override
};

// Mastodon's overrides (Ruby source, same classes).
const G = '[^\\p{White_Space}<>()?]';
const ENDING = `(?:[^\\p{White_Space}()?!*"'「」<>;:=,.$%\\[\\]~&|@]|(?:${stock.balancedParens}))`;
const BALANCED = `\\((?:${G}+|(?:${G}*\\(${G}+\\)${G}*))\\)`;
const UCHARS = '\\u{A0}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFEF}\\u{10000}-\\u{1FFFD}' +
  '\\u{20000}-\\u{2FFFD}\\u{30000}-\\u{3FFFD}\\u{40000}-\\u{4FFFD}\\u{50000}-\\u{5FFFD}' +
  '\\u{60000}-\\u{6FFFD}\\u{70000}-\\u{7FFFD}\\u{80000}-\\u{8FFFD}\\u{90000}-\\u{9FFFD}' +
  '\\u{A0000}-\\u{AFFFD}\\u{B0000}-\\u{BFFFD}\\u{C0000}-\\u{CFFFD}\\u{D0000}-\\u{DFFFD}' +
  '\\u{E1000}-\\u{EFFFD}\\u{E000}-\\u{F8FF}\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}';
const QUERY = `[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@\\^${UCHARS}]`;
const QUERY_END = `[a-z0-9_&=#/\\-${UCHARS}]`;
const PATH = `(?:(?:${G}*(?:${BALANCED}${G}*)*${ENDING})|(?:${G}+/))`;
const VALID_URL = new RegExp(
  `((${stock.preceding})(((?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?(${stock.domain})` +
  `(?::(${stock.port}))?(/${PATH}*)?(\\?${QUERY}*${QUERY_END})?))`, 'giu');
const TCO = new RegExp(`^https?://t\\.co/([a-z0-9]+)(?:\\?${QUERY}*${QUERY_END})?`, 'iu');
const MAX_URL_LENGTH = 4096;
const MAX_TCO_SLUG_LENGTH = 40;

function validDomain(urlLength, domain, protocol) {
  const ascii = domainToASCII(domain);
  if (!ascii) return false;
  if (ascii.split('.').some((label) => label.length < 1 || label.length > 63)) return false;
  const longer = Math.max(0, ascii.length - domain.length);
  return urlLength + longer + (protocol ? 0 : 'https://'.length) <= MAX_URL_LENGTH;
}

// extract_urls_with_indices(text, extract_url_without_protocol: false): UTF-16 spans.
function extractUrls(text) {
  const urls = [];
  VALID_URL.lastIndex = 0;
  let m;
  while ((m = VALID_URL.exec(text))) {
    const protocol = m[4];
    let url = m[3];
    const start = m.index + m[2].length;
    if (!protocol) continue;
    const tco = url.match(TCO);
    if (tco) {
      if (tco[1].length > MAX_TCO_SLUG_LENGTH) continue;
      url = tco[0];
    }
    if (!validDomain([...url].length, m[5], protocol)) continue;
    urls.push([start, start + url.length]);
  }
  return urls;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemer = new Graphemer();
function graphemes(text) {
  const modern = [...segmenter.segment(text)].length;
  return Math.max(modern, graphemer.countGraphemes(text));
}

function count(item) {
  const text = item.text;
  const placeholder = 'x'.repeat(item.url_length || 23);
  const urls = extractUrls(text);
  let out = '';
  let last = 0;
  for (const [s, e] of urls) {
    out += text.slice(last, s) + placeholder;
    last = e;
  }
  out += text.slice(last);
  const cp = (i) => [...text.slice(0, i)].length;
  return { count: graphemes((item.spoiler || '') + out), urls: urls.map(([s, e]) => [cp(s), cp(e)]) };
}

const items = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(items.map(count)));
