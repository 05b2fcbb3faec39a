import * as fs from 'node:fs';
import * as path from 'node:path';
import { noticeBlocks } from 'src/evidence/domain/notice-blocks';

describe('noticeBlocks', () => {
  it('turns Markdown into headings, paragraphs and numbered or bulleted items, words unescaped', () => {
    const blocks = noticeBlocks(
      [
        '# Autorisation',
        '',
        'Finalité : photos \\*équipe\\* **2026**, `code`',
        'suite',
        '',
        '- Site web',
        '- Presse',
        '  - locale',
        '',
        '3. trois',
        '4. quatre',
        '',
        '> cité',
        '',
        '---',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Autorisation' },
      { kind: 'paragraph', text: 'Finalité : photos *équipe* 2026, code suite', quoteDepth: 0 },
      { kind: 'listItem', marker: '•', depth: 0, text: 'Site web' },
      { kind: 'listItem', marker: '•', depth: 0, text: 'Presse' },
      { kind: 'listItem', marker: '•', depth: 1, text: 'locale' },
      { kind: 'listItem', marker: '3.', depth: 0, text: 'trois' },
      { kind: 'listItem', marker: '4.', depth: 0, text: 'quatre' },
      { kind: 'paragraph', text: 'cité', quoteDepth: 1 },
      { kind: 'rule' },
    ]);
  });

  it('keeps raw HTML as text, as the sign page shows it', () => {
    expect(noticeBlocks('<b>gras</b>')).toEqual([
      { kind: 'paragraph', text: '<b>gras</b>', quoteDepth: 0 },
    ]);
  });

  it('renders every line of the shipped French template', () => {
    const source = fs.readFileSync(
      path.join(__dirname, '../../../templates/consents/image-rights/1/fr.md'),
      'utf8',
    );
    const blocks = noticeBlocks(source);
    expect(
      blocks.filter((b) => b.kind === 'heading').map((b) => (b as { text: string }).text),
    ).toContain('Retirer votre autorisation');
    expect(blocks.some((b) => b.kind === 'listItem' && b.text.includes('{{this.label}}'))).toBe(
      true,
    );
  });
});
