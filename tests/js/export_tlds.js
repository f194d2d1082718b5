// Test-only: print twitter-text 3.1.0's TLD list (generic and country-code), one a line, sorted.
// tests/test_mastodon_reference.py checks syndicator/crosspost/counting/twitter_text_tlds.py
// against it; regenerate that file with `python -m syndicator.crosspost.counting.twitter_text_tlds`.
'use strict';
const names = new Set();
for (const file of ['validGTLD', 'validCCTLD']) {
  const source = require(`twitter-text/dist/regexp/${file}`).source;
  const list = source.match(/^\(\?:\(\?:(.*)\)\(\?=/)[1];
  for (const tld of list.split('|')) names.add(tld.toLowerCase());
}
process.stdout.write([...names].sort().join('\n') + '\n');
