/**
 * OFA's Hugging Face port (`modeling_ofa.py`, branch feature/add_transformers) renames a few
 * fairseq keys (spec/ofa-state-dict.md §3). This maps an HF key back to its fairseq name, so
 * converted PanaceaAI / OFA-Sys weights load by name; fairseq keys pass through unchanged.
 */
export function fairseqName(name: string): string {
  const m = /^(encoder|decoder)\.layers\.(\d+)\.(.*)$/.exec(name);
  if (!m) return name;
  const [, stack, i, rest = ''] = m;
  let r = rest;
  if (stack === 'encoder') {
    r = r.replace(/^self_attn_mid_layer_norm\./, 'attn_ln.');
  } else {
    r = r
      .replace(/^self_attn_mid_layer_norm\./, 'self_attn_ln.')
      .replace(/^cross_attn_mid_layer_norm\./, 'cross_attn_ln.')
      .replace(/^cross_attn_layer_norm\./, 'encoder_attn_layer_norm.')
      .replace(/^cross_attn\./, 'encoder_attn.');
  }
  r = r.replace(/^ffn_layer_norm\./, 'ffn_layernorm.');
  return `${stack}.layers.${i}.${r}`;
}
