import { describe, expect, it } from 'vitest';
import { fairseqName } from './hf-names';

describe('fairseqName (Hugging Face OFA keys -> fairseq)', () => {
  it('maps the renamed NormFormer and cross-attention keys', () => {
    expect(fairseqName('encoder.layers.3.self_attn_mid_layer_norm.weight')).toBe(
      'encoder.layers.3.attn_ln.weight',
    );
    expect(fairseqName('decoder.layers.0.self_attn_mid_layer_norm.bias')).toBe(
      'decoder.layers.0.self_attn_ln.bias',
    );
    expect(fairseqName('decoder.layers.1.cross_attn_mid_layer_norm.weight')).toBe(
      'decoder.layers.1.cross_attn_ln.weight',
    );
    expect(fairseqName('decoder.layers.1.cross_attn_layer_norm.weight')).toBe(
      'decoder.layers.1.encoder_attn_layer_norm.weight',
    );
    expect(fairseqName('decoder.layers.1.cross_attn.k_proj.weight')).toBe(
      'decoder.layers.1.encoder_attn.k_proj.weight',
    );
    expect(fairseqName('decoder.layers.1.cross_attn.c_attn')).toBe('decoder.layers.1.encoder_attn.c_attn');
    expect(fairseqName('encoder.layers.0.ffn_layer_norm.weight')).toBe(
      'encoder.layers.0.ffn_layernorm.weight',
    );
  });
  it('leaves fairseq names alone', () => {
    for (const n of [
      'encoder.layers.0.attn_ln.weight',
      'decoder.layers.2.encoder_attn.q_proj.bias',
      'encoder.embed_tokens.weight',
      'decoder.layers.0.self_attn.c_attn',
    ]) {
      expect(fairseqName(n)).toBe(n);
    }
  });
});
