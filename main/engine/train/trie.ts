/** A prefix tree of token-id sequences (OFA utils/trie.py): allowed next tokens after a prefix. */
export class Trie {
  private readonly root: TrieNode = new Map();
  readonly sequences: number[][] = [];

  constructor(sequences: Iterable<readonly number[]> = []) {
    for (const s of sequences) this.insert(s);
  }

  insert(seq: readonly number[]): void {
    let node = this.root;
    for (const id of seq) {
      let next = node.get(id);
      if (!next) {
        next = new Map();
        node.set(id, next);
      }
      node = next;
    }
    this.sequences.push([...seq]);
  }

  /** Tokens that may follow `prefix`; empty when the prefix left the tree or is complete. */
  next(prefix: readonly number[]): number[] {
    let node: TrieNode | undefined = this.root;
    for (const id of prefix) {
      node = node.get(id);
      if (!node) return [];
    }
    return [...node.keys()];
  }
}

type TrieNode = Map<number, TrieNode>;
