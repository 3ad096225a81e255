export { API_BASE_PATH, buildOpenApiDocument, jsonSchemaOf, type JsonSchema, type OpenApiDocument, type OpenApiOperation } from "./document";
