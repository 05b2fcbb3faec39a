import MarkdownIt from 'markdown-it';

/** The notice as the sign page shows it: Markdown without raw HTML, links left as text. */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

type Token = MarkdownIt.Token;

export type NoticeBlock =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string; quoteDepth: number }
  | { kind: 'listItem'; marker: string; depth: number; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'rule' };

interface OpenList {
  ordered: boolean;
  next: number;
}

/**
 * The blocks of a Markdown notice, in order, with their words exactly as the sign page renders
 * them (the same parser and options); emphasis is not kept, the words are.
 */
export function noticeBlocks(source: string): NoticeBlock[] {
  const blocks: NoticeBlock[] = [];
  const lists: OpenList[] = [];
  let quoteDepth = 0;
  let headingLevel = 0;
  /** The marker the next paragraph of a list item carries; later paragraphs of the item have none. */
  let pendingMarker: string | undefined;

  for (const token of markdown.parse(source, {})) {
    switch (token.type) {
      case 'heading_open':
        headingLevel = Number(token.tag.slice(1));
        break;
      case 'heading_close':
        headingLevel = 0;
        break;
      case 'bullet_list_open':
        lists.push({ ordered: false, next: 1 });
        break;
      case 'ordered_list_open':
        lists.push({ ordered: true, next: Number(token.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        pendingMarker = list.ordered ? `${list.next++}${token.markup || '.'}` : '•';
        break;
      }
      case 'blockquote_open':
        quoteDepth += 1;
        break;
      case 'blockquote_close':
        quoteDepth -= 1;
        break;
      case 'hr':
        blocks.push({ kind: 'rule' });
        break;
      case 'code_block':
      case 'fence':
        blocks.push({ kind: 'code', text: token.content.replace(/\n$/, '') });
        break;
      case 'inline': {
        const text = inlineText(token);
        if (headingLevel > 0) {
          blocks.push({ kind: 'heading', level: headingLevel, text });
        } else if (lists.length > 0) {
          blocks.push({
            kind: 'listItem',
            marker: pendingMarker ?? '',
            depth: lists.length - 1,
            text,
          });
          pendingMarker = undefined;
        } else {
          blocks.push({ kind: 'paragraph', text, quoteDepth });
        }
        break;
      }
      default:
        break;
    }
  }
  return blocks;
}

function inlineText(token: Token): string {
  let text = '';
  for (const child of token.children ?? []) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
      case 'html_inline':
        text += child.content;
        break;
      case 'softbreak':
        text += ' ';
        break;
      case 'hardbreak':
        text += '\n';
        break;
      case 'image':
        text += inlineText(child);
        break;
      default:
        break;
    }
  }
  return text;
}
