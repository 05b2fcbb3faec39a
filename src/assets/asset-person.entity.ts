import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Asset } from 'src/assets/asset.entity';
import { Person } from 'src/persons/person.entity';

/** Someone identifiable in an asset. Blocking looks rows up by person, hence the second index. */
@Entity('asset_persons')
@Index('ix_asset_persons_person', ['personId', 'assetId'])
export class AssetPerson {
  @PrimaryColumn({ name: 'asset_id', type: 'uuid' })
  assetId: string;

  @ManyToOne(() => Asset, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'asset_id' })
  asset?: Asset;

  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Person;
}
