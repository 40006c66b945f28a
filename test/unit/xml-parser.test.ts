import { describe, expect, it } from 'vitest';
import { parseArrayOfString, XmlBodyError } from '#shared/http/xml.ts';

describe('parseArrayOfString', () => {
  it.each([
    ['plain', '<ArrayOfString><string>101</string><string>0065</string></ArrayOfString>', ['101', '0065']],
    [
      'the .NET namespaces',
      '<?xml version="1.0" encoding="utf-8"?>\n<ArrayOfString xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">\n  <string>101</string>\n</ArrayOfString>',
      ['101'],
    ],
    ['prefixed elements', '<a:ArrayOfString xmlns:a="urn:x"><a:string>7</a:string></a:ArrayOfString>', ['7']],
    [
      'entities and references',
      '<ArrayOfString><string>A&amp;B &lt;&gt; &quot;&apos; &#65;&#x42;</string></ArrayOfString>',
      ['A&B <> "\' AB'],
    ],
    ['CDATA', '<ArrayOfString><string><![CDATA[<odd> & code]]></string></ArrayOfString>', ['<odd> & code']],
    ['kept white space', '<ArrayOfString><string> 101 </string></ArrayOfString>', [' 101 ']],
    ['an empty string element', '<ArrayOfString><string/><string></string></ArrayOfString>', ['', '']],
    [
      'comments and a BOM',
      '\uFEFF<!-- c --><ArrayOfString><!-- c --><string>1</string></ArrayOfString><!-- end -->',
      ['1'],
    ],
    ['a self-closing root', '<ArrayOfString/>', []],
    [
      'a nil string (not a string)',
      '<ArrayOfString><string i:nil="true" xmlns:i="x"/></ArrayOfString>',
      [null],
    ],
    [
      'markup inside a code (not a string)',
      '<ArrayOfString><string><b><i>1</i></b></string><string>2</string></ArrayOfString>',
      [{}, '2'],
    ],
  ])('reads %s', (_, xml, codes) => {
    expect(parseArrayOfString(xml)).toEqual(codes);
  });

  it.each([
    ['an unclosed root', '<ArrayOfString><string>101</string>', /^XML body is malformed/],
    [
      'a mismatched close tag',
      '<ArrayOfString><string>101</strin></ArrayOfString>',
      /^XML body is malformed \(line 1: <\/string> was expected\)$/,
    ],
    ['a bare ampersand', '<ArrayOfString><string>A & B</string></ArrayOfString>', /bare &/],
    [
      'an undefined entity',
      '<ArrayOfString><string>&nbsp;</string></ArrayOfString>',
      /^XML body uses an undefined entity &nbsp;$/,
    ],
    ['content after the root', '<ArrayOfString></ArrayOfString><x/>', /content after the root element/],
    ['text between elements', '<ArrayOfString>101<string>1</string></ArrayOfString>', /only string elements/],
    ['another element', '<ArrayOfString><int>1</int></ArrayOfString>', /only string elements/],
    ['another root', '<Codes><string>1</string></Codes>', /^XML body must be an ArrayOfString element$/],
    ['an empty document', '  ', /the document is empty/],
    ['not XML', '["101"]', /an element was expected/],
    ['a DOCTYPE', '<!DOCTYPE x SYSTEM "file:///etc/passwd"><ArrayOfString/>', /DOCTYPE/],
    ['an unclosed comment', '<!-- <ArrayOfString/>', /unclosed comment/],
    [
      'an out-of-range reference',
      '<ArrayOfString><string>&#x110000;</string></ArrayOfString>',
      /bad character reference/,
    ],
    [
      'a reference to NUL, which XML 1.0 forbids',
      '<ArrayOfString><string>a&#0;b</string></ArrayOfString>',
      /bad character reference/,
    ],
    [
      'a reference to a control character',
      '<ArrayOfString><string>&#x1B;</string></ArrayOfString>',
      /bad character reference/,
    ],
    [
      'a reference to a lone surrogate',
      '<ArrayOfString><string>&#xD800;</string></ArrayOfString>',
      /bad character reference/,
    ],
  ])('refuses %s', (_, xml, message) => {
    expect(() => parseArrayOfString(xml)).toThrow(XmlBodyError);
    expect(() => parseArrayOfString(xml)).toThrow(message);
  });
});
