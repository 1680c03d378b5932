import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * vitest setup (every test file): a software GPU for the webgpu tests. Debian's `chromium`
 * package ships SwiftShader's Vulkan driver; with `libvulkan1`, Dawn finds it through
 * VK_ICD_FILENAMES ("SwiftShader driver 5.0.0"). Dawn also needs XDG_RUNTIME_DIR. The engine never
 * chooses a software adapter by itself, so the other tests stay on wasm/cpu.
 */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

if (!process.env['VK_ICD_FILENAMES'] && existsSync(SWIFTSHADER_ICD)) {
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
}
process.env['XDG_RUNTIME_DIR'] ??= tmpdir();
