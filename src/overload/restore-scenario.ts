import { buildScenario, targetScenario, type Scenario, type ScenarioState } from './build-scenario.js';

/** The scenario another thread prepared, rebuilt from its plain state: no set-up call is made again. */
export function restoreScenario(state: ScenarioState): Scenario {
  if (state.kind === 'target') return targetScenario(state.request);
  return buildScenario(state.name, {}, state);
}
