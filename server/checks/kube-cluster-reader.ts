// The real ClusterReader: @kubernetes/client-node against one attendee's API server. Built once per
// kubeconfig and kept by the session, so a Check is a few HTTPS requests and no kubectl process.
// Objects come back as the API server's JSON (no typed models, so custom resources and fields the
// client does not know stay intact), kinds are resolved through discovery (cached per apiVersion),
// and every request carries the evaluation's AbortSignal so a timed-out check stops its request.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ApiException,
  AuthorizationV1Api,
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  ServerConfiguration,
  createConfiguration,
} from '@kubernetes/client-node';
import type { Configuration, ResponseContext } from '@kubernetes/client-node';
import { ClusterReadError } from './cluster-reader.js';
import type {
  AccessAnswer,
  AccessQuestion,
  ClusterReader,
  HttpAnswer,
  KindInfo,
  KubeObject,
  ListQuery,
  ObjectRef,
  ReadOptions,
  ServiceTarget,
} from './cluster-reader.js';

// The signal of the evaluation a request belongs to, found by the middleware below.
const requestSignal = new AsyncLocalStorage<AbortSignal | undefined>();

// KubernetesObjectApi with discovery exposed and responses kept as plain JSON.
class JsonObjectApi extends KubernetesObjectApi {
  discover(apiVersion: string, kind: string): ReturnType<KubernetesObjectApi['resource']> {
    return this.resource(apiVersion, kind);
  }

  protected override async processResponse<T>(response: ResponseContext): Promise<T> {
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return JSON.parse(await response.body.text()) as T;
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', await response.body.text(), response.headers);
  }
}

function statusMessage(body: unknown): string {
  if (typeof body !== 'string') return '';
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

/** Reads one cluster through its kubeconfig; see ClusterReader for the contract. */
export class KubeClusterReader implements ClusterReader {
  private readonly objects: JsonObjectApi;
  private readonly authorization: AuthorizationV1Api;

  private constructor(
    private readonly config: KubeConfig,
    private readonly configuration: Configuration,
    private readonly server: string,
  ) {
    this.objects = new JsonObjectApi(configuration);
    this.authorization = new AuthorizationV1Api(configuration);
  }

  /** Builds a reader from kubeconfig YAML (its current context); throws ClusterReadError 'invalid' for an unusable one. */
  static fromKubeconfig(kubeconfig: string): KubeClusterReader {
    const config = new KubeConfig();
    try {
      config.loadFromString(kubeconfig);
    } catch (error) {
      throw new ClusterReadError('invalid', `the kubeconfig could not be read (${error instanceof Error ? error.message : String(error)}); pass the YAML kind prints for the cluster`);
    }
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new ClusterReadError('invalid', 'the kubeconfig has no current cluster; set current-context to the attendee cluster');
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: config },
      promiseMiddleware: [
        {
          pre: async (context) => {
            const signal = requestSignal.getStore();
            if (signal) context.setSignal(signal);
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
    return new KubeClusterReader(config, configuration, cluster.server);
  }

  private async call<T>(what: string, options: ReadOptions | undefined, request: () => Promise<T>): Promise<T> {
    if (options?.signal?.aborted) throw new ClusterReadError('timeout', `stopped before ${what}: the check ran out of time`);
    try {
      return await requestSignal.run(options?.signal, request);
    } catch (error) {
      throw this.translate(error, what);
    }
  }

  private translate(error: unknown, what: string): ClusterReadError {
    if (error instanceof ClusterReadError) return error;
    if (error instanceof ApiException) {
      const detail = statusMessage(error.body);
      if (error.code === 401) return new ClusterReadError('unauthorized', `the API server refused kubelab's credentials while trying to ${what} (401 ${detail}); the cluster's kubeconfig may be stale, restart the session`);
      if (error.code === 403) return new ClusterReadError('forbidden', `kubelab is not allowed to ${what} (403 ${detail}); if the lesson changed RBAC for kubelab's user, undo that`);
      return new ClusterReadError('api-error', `the API server answered ${error.code} when asked to ${what}${detail ? `: ${detail}` : ''}`);
    }
    const detail = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.name === 'AbortError') return new ClusterReadError('timeout', `stopped while trying to ${what}: the check ran out of time`);
    if (/Unrecognized API version and kind/.test(detail)) {
      return new ClusterReadError('unknown-kind', `the cluster does not serve that kind (${detail}); if it is a custom resource, install its CustomResourceDefinition first`);
    }
    return new ClusterReadError('unreachable', `the cluster's API server at ${this.server} did not answer while trying to ${what} (${detail}); the cluster may be stopped or still starting, press Check again in a moment`);
  }

  async kindInfo(apiVersion: string, kind: string, options?: ReadOptions): Promise<KindInfo> {
    const resource = await this.call(`discover ${kind} in ${apiVersion}`, options, async () => {
      try {
        return await this.objects.discover(apiVersion, kind);
      } catch (error) {
        // The API server has no such group/version at all.
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    });
    if (!resource) {
      throw new ClusterReadError('unknown-kind', `the cluster serves no kind ${kind} in ${apiVersion}; check the spelling, or install the CustomResourceDefinition that defines it`);
    }
    return { resource: resource.name, namespaced: resource.namespaced };
  }

  async get(ref: ObjectRef, options?: ReadOptions): Promise<KubeObject | undefined> {
    const what = `get ${ref.kind.toLowerCase()} ${ref.name}${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`;
    return this.call(what, options, async () => {
      try {
        return await this.objects.read<KubeObject & { metadata: { name: string } }>({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, ...(ref.namespace !== undefined && { namespace: ref.namespace }) },
        });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    });
  }

  async list(query: ListQuery, options?: ReadOptions): Promise<KubeObject[]> {
    const what = `list ${query.kind.toLowerCase()} objects${query.namespace ? ` in namespace ${query.namespace}` : ''}`;
    const list = await this.call(what, options, () =>
      this.objects.list<KubeObject>(query.apiVersion, query.kind, query.namespace, undefined, undefined, undefined, query.fieldSelector, query.labelSelector),
    );
    return list.items;
  }

  async reviewAccess(question: AccessQuestion, options?: ReadOptions): Promise<AccessAnswer> {
    const review = await this.call('create a SubjectAccessReview', options, () =>
      this.authorization.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            ...(question.user !== undefined && { user: question.user }),
            ...(question.groups !== undefined && { groups: question.groups }),
            resourceAttributes: {
              verb: question.verb,
              group: question.group ?? '',
              resource: question.resource,
              ...(question.subresource !== undefined && { subresource: question.subresource }),
              ...(question.namespace !== undefined && { namespace: question.namespace }),
              ...(question.name !== undefined && { name: question.name }),
            },
          },
        },
      }),
    );
    return {
      allowed: review.status?.allowed === true,
      ...(review.status?.reason && { reason: review.status.reason }),
      ...(review.status?.evaluationError && { evaluationError: review.status.evaluationError }),
    };
  }

  async proxyGet(target: ServiceTarget, path: string, options?: ReadOptions): Promise<HttpAnswer> {
    const endpoint = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services/${encodeURIComponent(target.name)}:${encodeURIComponent(String(target.port))}/proxy${path.startsWith('/') ? path : `/${path}`}`;
    return this.call(`GET ${path} on service ${target.name}:${target.port}`, options, async () => {
      const context = this.configuration.baseServer.makeRequestContext(endpoint, HttpMethod.GET);
      await this.config.applySecurityAuthentication(context);
      if (options?.signal) context.setSignal(options.signal);
      const response = await this.configuration.httpApi.send(context).toPromise();
      return { status: response.httpStatusCode, body: await response.body.text() };
    });
  }
}
