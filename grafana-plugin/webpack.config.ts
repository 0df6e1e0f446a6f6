// Extends the scaffolded configuration: the pure sizing and definition modules of the other
// workspaces are bundled from their TypeScript sources, so the plugin builds without their dist/.
import path from 'path';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const workspaceSources: Record<string, string> = {
  '@presize/definitions$': path.resolve(__dirname, '../definitions/src/index.ts'),
  '@presize/map/planner$': path.resolve(__dirname, '../map/src/planner.ts'),
};

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    resolve: {
      ...base.resolve,
      alias: { ...(base.resolve?.alias as Record<string, string> | undefined), ...workspaceSources },
      // Workspace sources import siblings as `./x.js` (their ESM output names).
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
  };
};

export default config;
