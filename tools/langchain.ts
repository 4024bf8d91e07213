/**
 * The tools as a model is offered them (`bindTools`): name, description, input as plain JSON Schema.
 * They only declare: the calls the model makes are executed through the toolbox (`ToolBox.call`), so
 * scope, validation, approval and audit apply and the run's context is never the model's to give.
 */
import { DynamicStructuredTool, type StructuredToolInterface } from '@langchain/core/tools';
import type { ToolBox } from './tool.js';
import { expectedSchema } from './toolbox.js';

export function toolDeclarations(toolbox: ToolBox): StructuredToolInterface[] {
  return toolbox.list().map((def) => {
    const { $schema: _ignored, ...schema } = (expectedSchema(def) ?? { type: 'object', properties: {} }) as Record<string, unknown>;
    return new DynamicStructuredTool({
      name: def.name,
      description: def.description,
      schema,
      func: async () => {
        throw new Error(`${def.name} is a declaration for the model; calls are executed through the toolbox (ToolBox.call)`);
      },
    }) as unknown as StructuredToolInterface;
  });
}
