using StreamSeq.Json;
using StreamSeq.Registry;

namespace StreamSeq.Pipelines;

/// <summary>
/// Checks a parsed pipeline against the registry: types exist, ids are unique, inputs exist, the graph has
/// no cycle, port types match, options bind, policies fit the stage. Reports everything it finds.
/// </summary>
public static class PipelineCompiler
{
    public static PipelinePlan? Compile(PipelineDefinition definition, StageRegistry registry, string baseDirectory, List<PipelineDiagnostic> diagnostics)
    {
        var before = diagnostics.Count;
        var byId = new Dictionary<string, StageDefinition>(StringComparer.Ordinal);
        foreach (var stage in definition.Stages)
        {
            if (byId.TryGetValue(stage.Id, out var first))
            {
                diagnostics.Add(new(stage.Location, stage.Id, $"duplicate id '{stage.Id}' (first used at line {first.Location.Line})"));
                continue;
            }
            byId[stage.Id] = stage;
        }

        var descriptors = new Dictionary<string, StageDescriptor>(StringComparer.Ordinal);
        foreach (var stage in byId.Values)
        {
            if (registry.TryGet(stage.Type, out var descriptor))
            {
                descriptors[stage.Id] = descriptor;
                CheckShape(stage, descriptor, diagnostics);
            }
            else
            {
                diagnostics.Add(new(stage.TypeLocation, stage.Id, $"unknown stage type '{stage.Type}'{Suggestions.Hint(stage.Type, registry.TypeNames)} (see 'streamseq stages')"));
            }
            foreach (var input in stage.Inputs)
            {
                if (!byId.ContainsKey(input.Upstream))
                {
                    diagnostics.Add(new(input.Location, stage.Id, $"input '{input.Upstream}' is not a stage of this pipeline{Suggestions.Hint(input.Upstream, byId.Keys)}"));
                }
            }
        }

        var order = TopologicalOrder(byId, diagnostics);
        if (order is null)
        {
            return null;
        }

        // Options do not depend on payload types: bind them for every known stage, so a problem upstream
        // does not hide the problems of the stages after it.
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        var optionsOk = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in order)
        {
            if (descriptors.TryGetValue(stage.Id, out var descriptor))
            {
                var bound = OptionsBinder.Bind(descriptor, stage, baseDirectory, diagnostics);
                options[stage.Id] = bound;
                if (bound is not null || descriptor.OptionsType is null)
                {
                    optionsOk.Add(stage.Id);
                }
            }
        }

        if (descriptors.Count == byId.Count && !byId.Values.Any(s => descriptors[s.Id].Kind == StageKind.Source))
        {
            diagnostics.Add(new(definition.Location, null, "the pipeline has no source stage"));
        }

        var planned = new Dictionary<string, PlannedStage>(StringComparer.Ordinal);
        foreach (var stage in order)
        {
            if (!descriptors.TryGetValue(stage.Id, out var descriptor))
            {
                continue;
            }
            var upstreamTypes = new List<Type>();
            var complete = true;
            foreach (var input in stage.Inputs)
            {
                if (!planned.TryGetValue(input.Upstream, out var upstream))
                {
                    complete = false;
                    continue;
                }
                if (upstream.Closed.OutputType is null)
                {
                    diagnostics.Add(new(input.Location, stage.Id, $"input '{input.Upstream}' is a sink ({upstream.Descriptor.TypeName}) and has no output"));
                    complete = false;
                    continue;
                }
                upstreamTypes.Add(upstream.Closed.OutputType);
            }
            if (!complete)
            {
                continue;
            }
            var closed = descriptor.Close(upstreamTypes);
            if (closed is null)
            {
                diagnostics.Add(new(stage.TypeLocation, stage.Id,
                    $"stage type '{descriptor.TypeName}' takes {TypeNames.Of(descriptor.InputType!)} and cannot accept {string.Join(" and ", upstreamTypes.Distinct().Select(TypeNames.Of))}"));
                continue;
            }
            var typesMatch = true;
            if (closed.InputType is not null)
            {
                foreach (var input in stage.Inputs)
                {
                    var produced = planned[input.Upstream].Closed.OutputType!;
                    var port = descriptor.Ports.FirstOrDefault(p => p.Name == input.Port);
                    if (port is not null && !port.PayloadType.IsAssignableFrom(produced))
                    {
                        diagnostics.Add(new(input.Location, stage.Id,
                            $"port type mismatch: input '{input.Upstream}' produces {TypeNames.Of(produced)}, but port '{port.Name}' of stage type '{descriptor.TypeName}' takes {TypeNames.Of(port.PayloadType)}"));
                        typesMatch = false;
                    }
                    else if (!closed.InputType.IsAssignableFrom(produced))
                    {
                        diagnostics.Add(new(input.Location, stage.Id,
                            $"port type mismatch: input '{input.Upstream}' produces {TypeNames.Of(produced)}, but stage type '{descriptor.TypeName}' takes {TypeNames.Of(closed.InputType)}"));
                        typesMatch = false;
                    }
                }
            }
            if (!typesMatch || !optionsOk.Contains(stage.Id))
            {
                continue;
            }
            var plannedStage = new PlannedStage { Definition = stage, Closed = closed, Options = options[stage.Id] };
            // Declared ports arrive in declaration order, whatever order the file lists them in.
            var ordered = descriptor.Ports.Count == 0
                ? stage.Inputs
                : stage.Inputs.OrderBy(i => descriptor.Ports.ToList().FindIndex(p => p.Name == i.Port)).ToList();
            foreach (var input in ordered)
            {
                var upstream = planned[input.Upstream];
                plannedStage.Inputs.Add(new PlannedInput(input.Port, upstream));
                upstream.Consumers.Add(plannedStage);
            }
            planned[stage.Id] = plannedStage;
        }

        if (diagnostics.Count > before)
        {
            return null;
        }
        return new PipelinePlan
        {
            Name = definition.Name,
            FilePath = definition.FilePath,
            BaseDirectory = baseDirectory,
            Stages = order.Select(s => planned[s.Id]).ToList(),
        };
    }

    private static void CheckShape(StageDefinition stage, StageDescriptor descriptor, List<PipelineDiagnostic> diagnostics)
    {
        if (descriptor.Kind == StageKind.Source && stage.Inputs.Count > 0)
        {
            diagnostics.Add(new(stage.Inputs[0].Location, stage.Id, $"stage type '{descriptor.TypeName}' is a source and takes no input"));
        }
        if (descriptor.HasInputs && stage.Inputs.Count == 0)
        {
            diagnostics.Add(new(stage.Location, stage.Id,
                $"missing input: stage type '{descriptor.TypeName}' needs {(descriptor.ManyInputs ? "'inputs': [..]" : "'input'")}"));
        }
        if (!descriptor.ManyInputs && stage.Inputs.Count > 1)
        {
            diagnostics.Add(new(stage.Inputs[1].Location, stage.Id, $"stage type '{descriptor.TypeName}' takes one input; use 'merge' or 'join' to combine streams"));
        }
        if (descriptor.Ports.Count > 0)
        {
            var declared = descriptor.Ports.Select(p => p.Name).ToList();
            foreach (var input in stage.Inputs.Where(i => !declared.Contains(i.Port)))
            {
                diagnostics.Add(new(input.Location, stage.Id,
                    $"stage type '{descriptor.TypeName}' has no input port '{input.Port}'{Suggestions.Hint(input.Port, declared)} (ports: {string.Join(", ", declared)}; wire them as \"inputs\": {{ \"port\": \"stage id\" }})"));
            }
            foreach (var port in descriptor.Ports.Where(p => p.Required && stage.Inputs.All(i => i.Port != p.Name)))
            {
                diagnostics.Add(new(stage.Location, stage.Id, $"input port '{port.Name}' ({TypeNames.Of(port.PayloadType)}) of stage type '{descriptor.TypeName}' is not connected"));
            }
        }
        var duplicates = stage.Inputs.GroupBy(i => i.Port).Where(g => g.Count() > 1);
        foreach (var duplicate in duplicates)
        {
            diagnostics.Add(new(duplicate.Skip(1).First().Location, stage.Id, $"input '{duplicate.Key}' is listed twice"));
        }
        if (stage.OnError == ErrorPolicy.Skip && descriptor.Kind is StageKind.Source or StageKind.Rx or StageKind.MultiInput)
        {
            if (stage.SettingLocations.TryGetValue("onError", out var at))
            {
                diagnostics.Add(new(at, stage.Id,
                    $"'onError': 'skip' needs a packet to skip; a {OptionJson.EnumName(descriptor.Kind)} stage fails as a whole: use 'restart' or 'stop'"));
            }
            else
            {
                // From 'defaults': the nearest meaning for a stage that cannot skip one packet.
                stage.OnError = ErrorPolicy.Restart;
            }
        }
        if (stage.Parallelism > 1 && !descriptor.Stateless)
        {
            var at = stage.SettingLocations.GetValueOrDefault("parallelism", stage.Location);
            diagnostics.Add(new(at, stage.Id, $"'parallelism' needs a stateless map stage; '{descriptor.TypeName}' keeps state or is not a map"));
        }
    }

    private static List<StageDefinition>? TopologicalOrder(Dictionary<string, StageDefinition> byId, List<PipelineDiagnostic> diagnostics)
    {
        var order = new List<StageDefinition>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = visiting, 2 = done
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var cyclic = false;

        void Visit(StageDefinition stage)
        {
            state[stage.Id] = 1;
            path.Add(stage.Id);
            foreach (var input in stage.Inputs)
            {
                if (!byId.TryGetValue(input.Upstream, out var upstream))
                {
                    continue;
                }
                var seen = state.GetValueOrDefault(upstream.Id);
                if (seen == 1)
                {
                    var cycle = path.Skip(path.IndexOf(upstream.Id)).Append(upstream.Id).ToList();
                    if (cycle.All(reported.Add) || !cyclic)
                    {
                        diagnostics.Add(new(input.Location, stage.Id, $"cycle: {string.Join(" <- ", cycle.AsEnumerable().Reverse().Reverse())}; pipelines are acyclic"));
                    }
                    cyclic = true;
                }
                else if (seen == 0)
                {
                    Visit(upstream);
                }
            }
            path.RemoveAt(path.Count - 1);
            state[stage.Id] = 2;
            order.Add(stage);
        }

        foreach (var stage in byId.Values)
        {
            if (state.GetValueOrDefault(stage.Id) == 0)
            {
                Visit(stage);
            }
        }
        return cyclic ? null : order;
    }
}
