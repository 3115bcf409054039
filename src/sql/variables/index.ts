export { SYSTEM_VARIABLES, findSystemVariable, type SystemVariable, type VariableScope, type VariableType } from './definitions.ts';
export { GlobalVariables, SessionVariables, type VariableValue, type SetValue, type ScopeRequest } from './session-variables.ts';
export { SERVER_VERSION, VERSION_COMMENT, TABLEVAULT_VERSION } from './version.ts';
