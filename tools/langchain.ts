/**
 * The toolbox as LangChain tools, for a model to call. The run's ToolContext is closed over (the
 * model never supplies identity or workspace); every call goes through ToolBox.run, so scope,
 * validation, approval and audit apply; results are JSON strings.
 *
 * LangChain validates arguments before calling a tool and would throw on a bad call, bypassing the
 * audit and the expected-schema answer. The schema handed to LangChain is therefore the tool's own
 * (so the model sees it) with a `catch` that passes invalid input through to the toolbox unchanged.
 * Zod cannot render a dynamic catch as JSON Schema, so these tools cannot be handed to a real
 * provider's `bindTools`: bind `toolDeclarations` instead (the same tools, declared in JSON Schema)
 * and execute the calls the model makes with these, or directly through `ToolBox.call` (as chat does).
 */
import { DynamicStructuredTool, type StructuredToolInterface } from '@langchain/core/tools';
import type { z } from 'zod';
import type { ToolBox, ToolContext } from './tool.js';
import { expectedSchema } from './toolbox.js';

const RAW = Symbol('invalid tool input');

interface Unparsed {
  [RAW]: unknown;
}

export function toLangChainTools(toolbox: ToolBox, ctx: ToolContext): StructuredToolInterface[] {
  return toolbox.list().map((def) => {
    const schema = (def.input as z.ZodType).catch((c: { value: unknown }) => ({ [RAW]: c.value }) as Unparsed as never);
    return new DynamicStructuredTool({
      name: def.name,
      description: def.description,
      schema: schema as z.ZodType<Record<string, unknown>>,
      func: async (args: unknown) => {
        const input = typeof args === 'object' && args !== null && RAW in args ? (args as Unparsed)[RAW] : args;
        return JSON.stringify(await toolbox.run(def.name, input, ctx));
      },
    }) as unknown as StructuredToolInterface;
  });
}

/** The tools as a model is offered them (`bindTools`): name, description, input as plain JSON Schema. */
export function toolDeclarations(toolbox: ToolBox): StructuredToolInterface[] {
  return toolbox.list().map((def) => {
    const { $schema: _ignored, ...schema } = (expectedSchema(def) ?? { type: 'object', properties: {} }) as Record<string, unknown>;
    return new DynamicStructuredTool({
      name: def.name,
      description: def.description,
      schema,
      func: async () => {
        throw new Error(
          `${def.name} is a declaration for the model; calls are executed through the toolbox (ToolBox.call or toLangChainTools)`,
        );
      },
    }) as unknown as StructuredToolInterface;
  });
}
