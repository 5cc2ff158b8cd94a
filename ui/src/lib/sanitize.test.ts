import { describe, expect, test } from 'vitest';
import { decodeEntities, FRAME_CSP, htmlToText, sanitizeHtmlDocument } from './sanitize';

const HOSTILE = [
  `<html><head><style>body{background:url(https://t.example/bg.png)}</style><script>alert('x')</script></head>
   <body><p>Gentile Collega,</p><img src="https://tracker.example/p.gif"><p onclick="steal()">Saluti</p>
   <a href="https://phish.example/login">Accedi</a><iframe src="https://evil.example"></iframe></body></html>`,
  `<scr<script>ipt>alert(1)</script>testo`,
  `<img src=x onerror=alert(1)>`,
  `<svg><script>alert(1)</script><image href="https://x.example/a.png"/></svg>ok`,
  `<IMG SRC="javascript:alert('XSS')">`,
  `<div style="background-image:url(http://x.example/a)">bg</div>`,
  `<a href="  javascript:alert(1)">link</a>`,
  `<object data="https://x.example/a.swf"></object><embed src="https://x.example/b">`,
  `<link rel=stylesheet href="https://x.example/s.css"><meta http-equiv="refresh" content="0;url=https://x.example">`,
  `<base href="https://x.example/"><form action="https://x.example/post"><input name=a></form>`,
  `<img src="x" alt='">' onerror="alert(1)">`,
  `<!-- <script>alert(1)</script> -->commento`,
  `<p>unterminated <script>alert(1)`,
  `<table background="https://x.example/t.png"><tr><td>cella</td></tr></table>`,
  `<video poster="https://x.example/p.jpg"><source src="https://x.example/v.mp4"></video>`,
  `<math><mi xlink:href="https://x.example">m</mi></math>`,
];

const REMOTE = /https?:|\/\/x\.example|javascript:/i;

describe('htmlToText', () => {
  test('keeps the words, drops scripts, styles and all markup', () => {
    const t = htmlToText(HOSTILE[0]);
    expect(t).toContain('Gentile Collega,');
    expect(t).toContain('Saluti');
    expect(t).toContain('Accedi');
    expect(t).not.toMatch(/alert|steal|background|<|>/);
    expect(t).not.toMatch(REMOTE);
  });

  test('no script or remote reference survives any sample', () => {
    for (const h of HOSTILE) {
      const t = htmlToText(h);
      expect(t, h).not.toMatch(/<\s*\/?\s*[a-z]/i);
      expect(t, h).not.toMatch(REMOTE);
      expect(t, h).not.toMatch(/alert\(/);
    }
  });

  test('structure becomes line breaks; entities are decoded', () => {
    expect(htmlToText('<p>Uno</p><p>Due<br>Tre</p><ul><li>a</li><li>b</li></ul>')).toBe('Uno\n\nDue\nTre\n\n• a\n• b');
    expect(htmlToText('Perch&eacute; &amp; citt&agrave; &#8364; &#x20AC; &lt;tag&gt;')).toBe('Perché & città € € <tag>');
  });

  test('entity decoding is safe on bad code points', () => {
    expect(decodeEntities('&#0;&#xD800;&#99999999;')).toBe('\ufffd\ufffd\ufffd');
  });
});

describe('sanitizeHtmlDocument (for iframe sandbox="")', () => {
  test('wraps the body in a document whose CSP blocks everything', () => {
    const doc = sanitizeHtmlDocument('<p>ciao</p>');
    expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">`);
    expect(FRAME_CSP).toContain("default-src 'none'");
    expect(doc).toContain('<p>ciao</p>');
  });

  test('no script, event handler, URL-bearing attribute or remote reference survives', () => {
    for (const h of HOSTILE) {
      const body = sanitizeHtmlDocument(h).split('<body>')[1];
      expect(body, h).not.toMatch(/<script|<iframe|<img|<object|<embed|<link|<meta|<base|<form|<svg|<style|<video|<math/i);
      expect(body, h).not.toMatch(/\son\w+\s*=/i);
      expect(body, h).not.toMatch(/\s(src|href|style|background|poster|action|data)\s*=/i);
      expect(body, h).not.toMatch(REMOTE);
    }
  });

  test('keeps harmless formatting', () => {
    const body = sanitizeHtmlDocument('<p align="center"><b>Grassetto</b> e <i>corsivo</i></p><table border="1"><tr><td colspan="2">x</td></tr></table>').split('<body>')[1];
    expect(body).toContain('<p align="center"><b>Grassetto</b> e <i>corsivo</i></p>');
    expect(body).toContain('<td colspan="2">x</td>');
  });
});
