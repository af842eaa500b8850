// The only way to a provider: its module, and with it its SDK, is imported on the
// first real call, so commands that never call a model never pay for loading one.
import type { Provider, ProviderRuntime, ProviderSettings } from './types.js';

export async function loadProvider(settings: ProviderSettings, env: Record<string, string | undefined>, runtime: ProviderRuntime): Promise<Provider> {
  switch (settings.type) {
    case 'openai':
      return (await import('./openai.js')).create(settings, env, runtime);
    case 'anthropic':
      return (await import('./anthropic.js')).create(settings, env, runtime);
    case 'exec':
      return (await import('./exec.js')).create(settings, env);
  }
}
