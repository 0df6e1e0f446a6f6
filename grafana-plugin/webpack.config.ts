// Extends the scaffolded configuration, which is not edited (see README).
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => grafanaConfig(env);

export default config;
