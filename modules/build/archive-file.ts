/**
 * `data "archive_file"` of the hashicorp/archive provider, which has no prebuilt CDKTF binding here.
 * The module zips its committed bundle at plan time with it, so no zip (whose bytes depend on the zip tool)
 * is ever committed.
 */
import { TerraformDataSource } from "cdktf";
import type { Construct } from "constructs";

export interface DataArchiveFileConfig {
  readonly type: "zip";
  readonly sourceDir: string;
  readonly outputPath: string;
  /** Fixed file mode in the zip, so the hash is the same on every machine. */
  readonly outputFileMode: string;
}

export class DataArchiveFile extends TerraformDataSource {
  static readonly tfResourceType = "archive_file";

  constructor(
    scope: Construct,
    id: string,
    private readonly config: DataArchiveFileConfig,
  ) {
    super(scope, id, {
      terraformResourceType: DataArchiveFile.tfResourceType,
      terraformGeneratorMetadata: { providerName: "archive" },
    });
  }

  /** Path of the zip Terraform writes. */
  get outputPath(): string {
    return this.getStringAttribute("output_path");
  }

  /** Base64 SHA-256 of the zip, for `source_code_hash`. */
  get outputBase64Sha256(): string {
    return this.getStringAttribute("output_base64sha256");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      type: this.config.type,
      source_dir: this.config.sourceDir,
      output_path: this.config.outputPath,
      output_file_mode: this.config.outputFileMode,
    };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    const simple = (value: string) => ({ value, isBlock: false, type: "simple", storageClassType: "string" });
    return {
      type: simple(this.config.type),
      source_dir: simple(this.config.sourceDir),
      output_path: simple(this.config.outputPath),
      output_file_mode: simple(this.config.outputFileMode),
    };
  }
}
