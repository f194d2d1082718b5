// Test-only reference: the link and hashtag facets @atproto/api's RichText detects.
// stdin: JSON array of strings; stdout: JSON array of facet arrays (mentions left out: they
// need a handle lookup, and syndicator does not make them).
'use strict';
const fs = require('fs');
const { RichText } = require('@atproto/api');

const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(texts.map((text) => {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  return (rt.facets || []).filter((f) => !f.features[0].$type.endsWith('#mention'))
    .map((f) => ({ index: f.index, features: f.features }));
})));
