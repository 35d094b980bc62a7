package io.eimf.serve;

import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.model.ModelUri;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;

/**
 * A registry model, {@code models:/NAME@ALIAS} (polled: a promotion moves the alias) or {@code models:/NAME/VERSION}
 * (fixed), fetched through the mlflow module's {@link ModelResolver} and its verified local cache.
 */
public final class RegistrySource implements ModelSource {
    private final ModelUri uri;
    private final ModelRegistry registry;
    private final ModelResolver resolver;
    private final RecommenderModel.Retrieval retrieval;

    public RegistrySource(String uri, ModelRegistry registry, ModelResolver resolver) {
        this(uri, registry, resolver, RecommenderModel.Retrieval.ANN);
    }

    public RegistrySource(String uri, ModelRegistry registry, ModelResolver resolver,
                          RecommenderModel.Retrieval retrieval) {
        this.uri = ModelUri.parse(uri);
        this.registry = registry;
        this.resolver = resolver;
        this.retrieval = retrieval;
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public String currentVersion() {
        ModelVersionInfo v = uri.alias() != null
                ? registry.byAlias(uri.name(), uri.alias()).orElseThrow(() -> new EimfException(
                        "alias '" + uri.alias() + "' of model " + uri.name() + " is not set on " + registry.location()))
                : registry.version(uri.name(), uri.version()).orElseThrow(() -> new EimfException(
                        "model " + uri.name() + " has no version " + uri.version() + " on " + registry.location()));
        return v.version();
    }

    @Override
    public ServingModel load() throws Exception {
        ModelResolver.Resolved r = resolver.resolve(uri.toString());
        String v = r.version().version();
        return RecommenderModel.load(r.folder(), "models:/" + uri.name() + "/" + v
                + (uri.alias() != null ? " (@" + uri.alias() + ")" : ""), v, retrieval);
    }
}
